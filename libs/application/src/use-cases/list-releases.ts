/** Read side: a page of releases, newest first, by service and state. */
import type { ReleaseState } from '#domain';
import type { ReleaseStore } from '#persistence';

export class ListReleases {
  constructor(private readonly store: ReleaseStore) {}

  execute(query: { service?: string; state?: ReleaseState; limit: number; offset: number }) {
    return this.store.list(query);
  }
}
