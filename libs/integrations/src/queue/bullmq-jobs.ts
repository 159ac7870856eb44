/**
 * BullMQ side of the job catalogue: the queue producers use (API, worker, sweeper) and the
 * TickScheduler the use cases call. Job ids come from the catalogue, so adding a job that is
 * already waiting, delayed or running is a no-op. Given a Redis client (connectRedis), every queue
 * shares it, workers may borrow it (`connection`), and closing the queues quits it.
 */
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import {
  drillJobId,
  JOB_QUEUE,
  QUEUES,
  regionOperationJobId,
  tickJobId,
  type JobName,
  type JobPayloads,
  type RegionOperationScheduler,
  type TickScheduler,
  type DrillScheduler,
} from '#application';

const DEFAULTS: JobsOptions = {
  attempts: 25,
  backoff: { type: 'exponential', delay: 250 },
  removeOnComplete: true,
  removeOnFail: true,
};

export class JobQueues implements TickScheduler, RegionOperationScheduler, DrillScheduler {
  private readonly queues = new Map<string, Queue>();

  constructor(
    /** a shared client (owned from now on: `close` quits it), or options (a connection per queue) */
    readonly connection: ConnectionOptions,
    private readonly prefix: string,
  ) {
    for (const name of Object.values(QUEUES)) {
      this.queues.set(name, new Queue(name, { connection, prefix, defaultJobOptions: DEFAULTS }));
    }
  }

  queue(name: string): Queue {
    const q = this.queues.get(name);
    if (!q) throw new Error(`unknown queue ${name}`);
    return q;
  }

  /**
   * Enqueue a job. Bounded in time: with Redis away, ioredis would queue the command forever,
   * and callers (an API request) must not hang — the sweeper re-enqueues from Postgres later.
   */
  async add<N extends JobName>(name: N, data: JobPayloads[N], opts: JobsOptions = {}, timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`enqueue of ${name} timed out after ${timeoutMs}ms (is Redis up?)`)), timeoutMs);
    });
    try {
      await Promise.race([this.queue(JOB_QUEUE[name]).add(name, data, opts), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  enqueueTick(releaseId: string, seq: number, delayMs: number): Promise<void> {
    return this.add('release.tick', { releaseId, seq }, { jobId: tickJobId(releaseId, seq), delay: Math.max(0, Math.round(delayMs)) });
  }

  enqueueRegionOperation(operationId: string, seq: number, delayMs: number): Promise<void> {
    return this.add(
      'region.operation',
      { operationId, seq },
      { jobId: regionOperationJobId(operationId, seq), delay: Math.max(0, Math.round(delayMs)) },
    );
  }

  enqueueDrill(drillId: string, seq: number, delayMs: number): Promise<void> {
    return this.add('drill.step', { drillId, seq }, { jobId: drillJobId(drillId, seq), delay: Math.max(0, Math.round(delayMs)) });
  }

  /** Run the sweeper every `everyMs` (one schedule across all workers). */
  async scheduleSweeper(everyMs: number): Promise<void> {
    await this.queue(QUEUES.releases).upsertJobScheduler(
      'release-sweeper',
      { every: everyMs },
      { name: 'release.sweep', data: { reason: 'schedule' } },
    );
  }

  /** Is the sweeper's schedule still in Redis? (A Redis restarted empty or flushed has lost it.) */
  async hasSweeper(): Promise<boolean> {
    return (await this.queue(QUEUES.releases).getJobScheduler('release-sweeper')) !== undefined;
  }

  /** Closes the queues, then the shared client (close the workers that borrow it first). */
  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    const client = this.connection;
    if (!(client instanceof Redis)) return;
    // quit waits for the pending replies; with Redis away it would wait for a reconnect
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  }
}
