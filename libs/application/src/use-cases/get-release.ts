/** Read side: one release with its targets. */
import type { ReleaseRecord, ReleaseStore, TargetRecord } from '#persistence';
import { NotFoundError } from '../errors.js';

export class GetRelease {
  constructor(private readonly store: ReleaseStore) {}

  async execute(id: string): Promise<{ release: ReleaseRecord; targets: TargetRecord[] }> {
    const release = await this.store.get(id);
    if (!release) throw new NotFoundError('release', id);
    return { release, targets: await this.store.targets(id) };
  }
}
