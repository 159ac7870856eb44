/**
 * An in-memory release queue (the engine's `TickScheduler` port): it records every scheduled
 * tick with the moment it is due on the test's clock and runs nothing by itself, so the test
 * decides when a tick runs. Job ids are deterministic as in BullMQ: a repeated enqueue is one job.
 */
import { tickJobId, type Clock, type TickScheduler } from '#application';

export interface ScheduledTick {
  jobId: string;
  releaseId: string;
  seq: number;
  delayMs: number;
  dueAtMs: number;
}

export class FakeTickQueue implements TickScheduler {
  /** every enqueue, in order (deduplicated ones included) */
  readonly log: ScheduledTick[] = [];
  private readonly waiting = new Map<string, ScheduledTick>();

  constructor(private readonly clock: Clock) {}

  async enqueueTick(releaseId: string, seq: number, delayMs: number): Promise<void> {
    const tick = { jobId: tickJobId(releaseId, seq), releaseId, seq, delayMs, dueAtMs: this.clock.now().getTime() + delayMs };
    this.log.push(tick);
    if (!this.waiting.has(tick.jobId)) this.waiting.set(tick.jobId, tick);
  }

  /** Ticks not run yet, earliest first. */
  pending(): ScheduledTick[] {
    return [...this.waiting.values()].sort((a, b) => a.dueAtMs - b.dueAtMs || a.seq - b.seq);
  }

  /** The earliest tick due at or before `atMs`, taken off the queue; undefined when none is. */
  take(atMs: number): ScheduledTick | undefined {
    const next = this.pending()[0];
    if (!next || next.dueAtMs > atMs) return undefined;
    this.waiting.delete(next.jobId);
    return next;
  }
}
