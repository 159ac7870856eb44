/** Read side: one release with its targets. */
import type { ReleaseRecord, ReleaseStore, TargetRecord } from '#persistence';
import { NotFoundError } from '../errors.js';

export class GetRelease {
  constructor(private readonly store: ReleaseStore) {}

  async execute(id: string): Promise<{ release: ReleaseRecord; targets: TargetRecord[] }> {
    const found = await this.store.getWithTargets(id);
    if (!found) throw new NotFoundError('release', id);
    return found;
  }
}
