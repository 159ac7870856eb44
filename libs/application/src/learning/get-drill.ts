/** Read side: one drill with its events. */
import type { DrillStore } from '#persistence';
import { NotFoundError } from '../errors.js';

export class GetDrill {
  constructor(private readonly drills: DrillStore) {}

  async execute(id: string) {
    const drill = await this.drills.get(id);
    if (!drill) throw new NotFoundError('drill', id);
    return { drill, events: await this.drills.events(id) };
  }
}
