/**
 * The sweeper: Postgres is the truth, the queue only a hint. Re-enqueue every stepping
 * release whose next step is overdue (its job was lost: enqueue failed, Redis flushed, a
 * job failed for good), and start queued releases whose turn was lost. Enqueues carry the
 * release's current tick id, so a job that still exists is not duplicated.
 */
import type { ReleaseStore } from '#persistence';
import type { Clock, Logger, TickScheduler } from '../ports.js';

export class SweepReleases {
  constructor(
    private readonly store: ReleaseStore,
    private readonly ticks: TickScheduler,
    private readonly clock: Clock,
    private readonly graceMs: number,
    private readonly log: Logger,
  ) {}

  async execute(): Promise<{ requeued: number; started: number }> {
    const now = this.clock.now().getTime();
    const due = await this.store.dueReleases(new Date(now - this.graceMs));
    for (const r of due) await this.ticks.enqueueTick(r.id, r.tickSeq, 0);
    let started = 0;
    for (const service of await this.store.servicesWaitingForPromotion()) {
      const next = await this.store.promoteNextQueued(service);
      if (next) {
        started++;
        await this.ticks.enqueueTick(next.id, next.tickSeq, 0);
      }
    }
    if (due.length > 0 || started > 0) this.log.info({ requeued: due.length, started }, 'sweeper re-enqueued releases');
    return { requeued: due.length, started };
  }

  /**
   * Redis lost its state (restarted empty, flushed): enqueue the tick of every stepping
   * release, due or not, at the time Postgres has for it, then do a normal sweep.
   */
  async restoreAll(): Promise<{ restored: number; requeued: number; started: number }> {
    const now = this.clock.now().getTime();
    const all = await this.store.dueReleases(new Date(8.64e15), 10_000);
    for (const r of all) await this.ticks.enqueueTick(r.id, r.tickSeq, r.nextTickAt ? Math.max(0, r.nextTickAt.getTime() - now) : 0);
    const swept = await this.execute();
    this.log.info({ restored: all.length }, 'ticks restored from Postgres');
    return { restored: all.length, ...swept };
  }
}
