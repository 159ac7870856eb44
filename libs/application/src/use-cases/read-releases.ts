/** Read side: one release with its targets, a page of releases, a release's events. */
import type { ReleaseState } from '#domain';
import type { EventRecord, ReleaseRecord, ReleaseStore, TargetRecord } from '#persistence';
import { NotFoundError } from '../errors.js';

export class GetRelease {
  constructor(private readonly store: ReleaseStore) {}

  async execute(id: string): Promise<{ release: ReleaseRecord; targets: TargetRecord[] }> {
    const release = await this.store.get(id);
    if (!release) throw new NotFoundError('release', id);
    return { release, targets: await this.store.targets(id) };
  }
}

export class ListReleases {
  constructor(private readonly store: ReleaseStore) {}

  execute(query: { service?: string; state?: ReleaseState; limit: number; offset: number }) {
    return this.store.list(query);
  }
}

export class ListReleaseEvents {
  constructor(private readonly store: ReleaseStore) {}

  async execute(id: string, afterId?: string, limit?: number): Promise<EventRecord[]> {
    const release = await this.store.get(id);
    if (!release) throw new NotFoundError('release', id);
    return this.store.events(id, afterId, limit);
  }
}
