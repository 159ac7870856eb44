/** The drills' sweeper: Postgres is the truth, the queue only a hint. */
import type { DrillStore } from '#persistence';
import type { Clock, DrillScheduler } from '../ports.js';

/** Re-enqueue drills whose next step is overdue (their job was lost, or their worker died). */
export class SweepDrills {
  constructor(
    private readonly drills: DrillStore,
    private readonly scheduler: DrillScheduler,
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  async execute(): Promise<number> {
    const due = await this.drills.due(new Date(this.clock.now().getTime() - this.graceMs));
    for (const d of due) await this.scheduler.enqueueDrill(d.id, d.checkSeq, 0);
    return due.length;
  }
}
