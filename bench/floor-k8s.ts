/**
 * The honest floor: a bare BullMQ job chain, one job per region-step, each doing exactly the
 * unavoidable work of a deploy — GET + PATCH + GET of the Deployment through
 * @kubernetes/client-node (keep-alive) against the simulator, and 2 single-row commits — in as
 * many worker processes with the same concurrency as the engine (floor-k8s-worker.ts). The
 * bare floor (floor.ts) does one row update per step and no Kubernetes call.
 */
import type { ConnectionOptions } from 'bullmq';
import { Queue } from 'bullmq';
import { FLOOR_K8S_JOB_OPTIONS, FLOOR_K8S_QUEUE, floorK8sJobId, type FloorK8sJob } from './floor-k8s-shared.js';
import type { FloorResult } from './floor.js';
import { cpuDelta, cpuSnapshot, newPool, sleep, spawnNode, type Proc } from './support.js';

export { FLOOR_K8S_NAMESPACE } from './floor-k8s-shared.js';

export interface HonestFloorParams {
  root: string;
  databaseUrl: string;
  redisUrl: string;
  connection: ConnectionOptions;
  prefix: string;
  simulatorUrl: string;
  /** region names, in step order */
  regions: string[];
  rows: number;
  workers: number;
  concurrency: number;
  timeoutMs: number;
}

export interface HonestFloorResult extends FloorResult {
  workers: number;
  concurrency: number;
  /** CPU seconds per process during the run */
  cpuSeconds: Record<string, number>;
  /** 2: both commits are single-row UPDATEs in autocommit */
  sqlPerStep: number;
}

export async function runHonestFloor(p: HonestFloorParams, log: (line: string) => void): Promise<HonestFloorResult> {
  const pool = newPool(p.databaseUrl, 2);
  const procs: Proc[] = [];
  const queue = new Queue<FloorK8sJob>(FLOOR_K8S_QUEUE, {
    connection: p.connection,
    prefix: p.prefix,
    defaultJobOptions: FLOOR_K8S_JOB_OPTIONS,
  });
  try {
    await pool.query(
      'CREATE TABLE floor_k8s_steps (id int PRIMARY KEY, step int NOT NULL, previous_image text, patching boolean NOT NULL, done_at timestamptz)',
    );
    await pool.query('INSERT INTO floor_k8s_steps (id, step, patching) SELECT g, 0, false FROM generate_series(1, $1) g', [p.rows]);
    const env = {
      FLOOR_REGIONS: p.regions.join(','),
      FLOOR_CONCURRENCY: String(p.concurrency),
      FLOOR_REDIS_URL: p.redisUrl,
      FLOOR_PREFIX: p.prefix,
      FLOOR_DATABASE_URL: p.databaseUrl,
      FLOOR_SIMULATOR_URL: p.simulatorUrl,
    };
    for (let i = 0; i < p.workers; i++)
      procs.push(
        await spawnNode(
          `floor-${i + 1}`,
          'dist/bench/floor-k8s-worker.js',
          p.root,
          { ...env, BENCH_NODE_ARGS: process.env.BENCH_FLOOR_NODE_ARGS ?? '' },
          '"msg":"floor worker ready"',
        ),
      );
    const cpu0 = cpuSnapshot(procs);
    const t0 = Date.now();
    await queue.addBulk(
      Array.from({ length: p.rows }, (_, i) => ({
        name: 'floor.k8s.step',
        data: { row: i + 1, step: 1 },
        opts: { ...FLOOR_K8S_JOB_OPTIONS, jobId: floorK8sJobId(i + 1, 1) },
      })),
    );
    const steps = p.regions.length;
    let lastReport = Date.now();
    for (;;) {
      const { rows } = await pool.query<{ done: number; total: string }>(
        'SELECT count(*) FILTER (WHERE step = $1)::int AS done, sum(step)::text AS total FROM floor_k8s_steps',
        [steps],
      );
      if (rows[0]!.done === p.rows) break;
      if (Date.now() - t0 > p.timeoutMs)
        throw new Error(`honest floor did not finish in ${p.timeoutMs} ms (${rows[0]!.total}/${p.rows * steps} steps)`);
      if (Date.now() - lastReport > 5_000) {
        lastReport = Date.now();
        log(`honest floor: ${rows[0]!.total}/${p.rows * steps} steps`);
      }
      await sleep(50);
    }
    const cpuSeconds = cpuDelta(cpu0, cpuSnapshot(procs));
    const { rows } = await pool.query<{ last_ms: string }>(
      'SELECT (EXTRACT(EPOCH FROM max(done_at)) * 1000)::text AS last_ms FROM floor_k8s_steps',
    );
    const wallMs = Number(rows[0]!.last_ms) - t0;
    const failed = procs.reduce(
      (n, proc) => n + Object.entries(proc.problems()).reduce((m, [k, v]) => m + (k.startsWith('floor job failed') ? v : 0), 0),
      0,
    );
    const total = p.rows * steps;
    return {
      steps: total,
      wallMs,
      stepsPerSec: total / (wallMs / 1000),
      failedJobs: failed,
      workers: p.workers,
      concurrency: p.concurrency,
      cpuSeconds,
      sqlPerStep: 2,
    };
  } finally {
    for (const proc of procs) await proc.stop();
    await queue.close();
    await pool.end();
  }
}
