/** The region operations' sweeper: Postgres is the truth, the queue only a hint. */
import type { RegionOperationStore } from '#persistence';
import type { Clock, RegionOperationScheduler } from '../ports.js';

/** Re-enqueue region operations whose next step is overdue (their job was lost). */
export class SweepRegionOperations {
  constructor(
    private readonly ops: RegionOperationStore,
    private readonly scheduler: RegionOperationScheduler,
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  async execute(): Promise<number> {
    const due = await this.ops.due(new Date(this.clock.now().getTime() - this.graceMs));
    for (const op of due) await this.scheduler.enqueueRegionOperation(op.id, op.checkSeq, 0);
    return due.length;
  }
}
