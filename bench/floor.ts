/**
 * The floor: a bare BullMQ job chain, one job per step, each doing one Postgres row update
 * and enqueueing the next step of its row. Same job options as the engine's queue and the
 * same total concurrency, run in this process (one Worker).
 */
import { Queue, Worker, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type pg from 'pg';
import { newPool } from './support.js';

const QUEUE = 'bench-floor';
/** As libs/integrations/src/queue/bullmq-jobs.ts DEFAULTS. */
const JOB_OPTIONS: JobsOptions = { attempts: 25, backoff: { type: 'exponential', delay: 250 }, removeOnComplete: true, removeOnFail: true };

export interface FloorParams {
  /** the scratch database; the floor opens its own pool (concurrency connections) and closes it */
  databaseUrl: string;
  connection: ConnectionOptions;
  prefix: string;
  rows: number;
  stepsPerRow: number;
  concurrency: number;
  timeoutMs: number;
}

export interface FloorResult {
  steps: number;
  wallMs: number;
  stepsPerSec: number;
  failedJobs: number;
}

const jobId = (row: number, step: number) => `floor_${row}_${step}`;

export async function runFloor(params: FloorParams): Promise<FloorResult> {
  const pool = newPool(params.databaseUrl, params.concurrency);
  try {
    return await chain(params, pool);
  } finally {
    await pool.end();
  }
}

async function chain(p: FloorParams, pool: pg.Pool): Promise<FloorResult> {
  await pool.query('CREATE TABLE floor_steps (id int PRIMARY KEY, step int NOT NULL)');
  await pool.query('INSERT INTO floor_steps (id, step) SELECT g, 0 FROM generate_series(1, $1) g', [p.rows]);
  const queue = new Queue<{ id: number }>(QUEUE, { connection: p.connection, prefix: p.prefix, defaultJobOptions: JOB_OPTIONS });
  let finishedRows = 0;
  let lastDoneAt = 0;
  let failedJobs = 0;
  let settle: (err?: Error) => void = () => undefined;
  const done = new Promise<void>((res, rej) => (settle = (err) => (err ? rej(err) : res())));

  const worker = new Worker<{ id: number }>(
    QUEUE,
    async (job) => {
      const { rows } = await pool.query<{ step: number }>('UPDATE floor_steps SET step = step + 1 WHERE id = $1 RETURNING step', [
        job.data.id,
      ]);
      const step = rows[0]!.step;
      if (step < p.stepsPerRow) {
        await queue.add('floor.step', { id: job.data.id }, { jobId: jobId(job.data.id, step + 1) });
      } else {
        lastDoneAt = performance.now();
        if (++finishedRows === p.rows) settle();
      }
    },
    {
      connection: p.connection,
      prefix: p.prefix,
      concurrency: p.concurrency,
      lockDuration: 15_000,
      stalledInterval: 7_500,
      maxStalledCount: 1_000,
    },
  );
  worker.on('failed', () => failedJobs++);
  worker.on('error', (err) => settle(err));
  const timer = setTimeout(
    () => settle(new Error(`floor did not finish in ${p.timeoutMs}ms (${finishedRows}/${p.rows} rows)`)),
    p.timeoutMs,
  );
  try {
    await worker.waitUntilReady();
    const t0 = performance.now();
    await queue.addBulk(
      Array.from({ length: p.rows }, (_, i) => ({
        name: 'floor.step',
        data: { id: i + 1 },
        opts: { ...JOB_OPTIONS, jobId: jobId(i + 1, 1) },
      })),
    );
    await done;
    const wallMs = lastDoneAt - t0;
    const { rows } = await pool.query<{ total: string }>('SELECT sum(step)::text AS total FROM floor_steps');
    const steps = Number(rows[0]!.total);
    if (steps !== p.rows * p.stepsPerRow) throw new Error(`floor: expected ${p.rows * p.stepsPerRow} steps, counted ${steps}`);
    return { steps, wallMs, stepsPerSec: steps / (wallMs / 1000), failedJobs };
  } finally {
    clearTimeout(timer);
    await worker.close();
    await queue.close();
  }
}
