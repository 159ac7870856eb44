/**
 * Small side measurements for the gate-reaction benchmark, to attribute engine time:
 * - how long one transaction takes to update N region_targets rows one UPDATE at a time (what
 *   ReleaseStore.applyStep does for a step's target patches) vs one UPDATE for all of them;
 * - how late a bare BullMQ delayed job runs (the engine's ticks are delayed jobs).
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type pg from 'pg';
import { percentile } from './support.js';

export interface UpdateProbe {
  rows: number;
  sequentialMs: number;
  batchedMs: number;
  repeats: number;
}

/** Touches only updated_at of an ended release's targets in the scratch database. */
export async function probeUpdates(pool: pg.Pool, releaseId: string, repeats = 15): Promise<UpdateProbe | null> {
  const ids = (await pool.query<{ id: string }>('SELECT id FROM region_targets WHERE release_id = $1', [releaseId])).rows.map((r) => r.id);
  if (ids.length === 0) return null;
  const client = await pool.connect();
  const time = async (fn: () => Promise<void>) => {
    const started = performance.now();
    await client.query('BEGIN');
    await fn();
    await client.query('COMMIT');
    return performance.now() - started;
  };
  try {
    const sequential: number[] = [];
    const batched: number[] = [];
    for (let i = 0; i < repeats; i++) {
      sequential.push(
        await time(async () => {
          for (const id of ids)
            await client.query('UPDATE region_targets SET updated_at = now() WHERE id = $1 AND release_id = $2', [id, releaseId]);
        }),
      );
      batched.push(
        await time(async () => {
          await client.query('UPDATE region_targets SET updated_at = now() WHERE id = ANY($1::uuid[]) AND release_id = $2', [
            ids,
            releaseId,
          ]);
        }),
      );
    }
    return { rows: ids.length, sequentialMs: percentile(sequential, 50), batchedMs: percentile(batched, 50), repeats };
  } finally {
    client.release();
  }
}

export interface DelayProbe {
  jobs: number;
  delayMs: number;
  concurrency: number;
  /** started − (added + delay) */
  lateP50Ms: number;
  lateP90Ms: number;
  lateMaxMs: number;
  /** jobs that started more than 50 ms late */
  over50: number;
}

/** One job at a time, each added with `delayMs` delay from the previous one's handler (as a tick schedules the next). */
export async function probeDelayedJobs(
  connection: ConnectionOptions,
  prefix: string,
  jobs = 20,
  delayMs = 500,
  concurrency = 8,
): Promise<DelayProbe> {
  const name = 'bench-gate-delay-probe';
  const queue = new Queue(name, { connection, prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  const late: number[] = [];
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  const worker = new Worker(
    name,
    async (job) => {
      const { dueAt } = job.data as { dueAt: number };
      late.push(Date.now() - dueAt);
      if (late.length >= jobs) resolveDone();
      else await queue.add('probe', { dueAt: Date.now() + delayMs }, { delay: delayMs });
    },
    { connection, prefix, concurrency },
  );
  try {
    await worker.waitUntilReady();
    await queue.add('probe', { dueAt: Date.now() + delayMs }, { delay: delayMs });
    await Promise.race([
      done,
      new Promise((_, rej) => setTimeout(() => rej(new Error('delayed-job probe timed out')), jobs * delayMs + 30_000)),
    ]);
    return {
      jobs,
      delayMs,
      concurrency,
      lateP50Ms: percentile(late, 50),
      lateP90Ms: percentile(late, 90),
      lateMaxMs: Math.max(...late),
      over50: late.filter((x) => x > 50).length,
    };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}
