/** Read side: a release's events (its audit log), oldest first, after a cursor. */
import type { EventRecord, ReleaseStore } from '#persistence';
import { NotFoundError } from '../errors.js';

export class ListReleaseEvents {
  constructor(private readonly store: ReleaseStore) {}

  async execute(id: string, afterId?: string, limit?: number): Promise<EventRecord[]> {
    const release = await this.store.get(id);
    if (!release) throw new NotFoundError('release', id);
    return this.store.events(id, afterId, limit);
  }
}
