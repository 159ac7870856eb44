/**
 * Release throughput: N concurrent releases (one service each) over G simulated regions with
 * zero bake and instant rollouts, beside two floors measured in the same run: the bare floor (a
 * BullMQ job chain doing one Postgres row update per step, floor.ts) and the honest floor (per
 * region-step exactly the unavoidable work: GET + PATCH + GET of the Deployment through
 * @kubernetes/client-node on the simulator and 2 single-row commits, floor-k8s.ts). Also counts
 * the SQL statements the workers send per region-step (sql-count.ts). All of it runs BENCH_ROUNDS
 * times (default 3), each round complete and independent, honest floor and engine in alternating
 * order (rounds.ts); the report is the median round's (by engine / honest floor), with every round's ratios.
 *
 *   npm run bench                                   # 200 releases × 20 regions
 *   BENCH_RELEASES=20 BENCH_REGIONS=10 npm run bench # smoke run
 *
 * Env: BENCH_RELEASES, BENCH_REGIONS, BENCH_WORKERS, BENCH_WORKER_CONCURRENCY, BENCH_IN_FLIGHT,
 * BENCH_ROUNDS, BENCH_POLL_INTERVAL, BENCH_TIMEOUT_S, BENCH_RESULTS_DIR (default bench/results), BENCH_DATABASE_ADMIN_URL, BENCH_REDIS_URL,
 * BENCH_WORKER_NODE_ARGS (node flags for the workers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_FLOOR_NODE_ARGS
 * (the same for the honest floor's processes).
 * Exits non-zero on errors only; there are no assertions on speed.
 */
import { rmSync } from 'node:fs';
import { freePort } from '../scripts/prometheus.js';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { redisFacts } from './machine-facts.js';
import { startSimulator } from '../apps/simulator/src/server.js';
import { redisConnection } from '../libs/integrations/src/queue/redis.js';
import { NAMESPACE, runEngine, writeBenchConfig, type EngineResult, type Stage } from './engine-run.js';
import { runFloor } from './floor.js';
import { FLOOR_K8S_NAMESPACE, runHonestFloor, type HonestFloorResult } from './floor-k8s.js';
import { sqlCounter, sqlPer } from './sql-count.js';
import { printReport, writeMarkdown, type RoundReport } from './report.js';
import { headlineReport, inOrder, roundOrder, runRounds } from './rounds.js';
import {
  runBench,
  type Cleanup,
  cpuDelta,
  cpuSnapshot,
  createScratchDb,
  type ScratchDb,
  deleteRedisPrefix,
  hex,
  sampleRss,
  spawnNode,
  type Proc,
  envInt,
} from './support.js';

/** Waves after the canary (r01) for 20 regions: r02–r04, r05–r09, r10–r14, r15–r20. Other region counts scale it. */
const WAVE_SIZES = [3, 5, 5, 6];

const env = process.env;
const int = envInt;
const P = {
  releases: int('BENCH_RELEASES', 200),
  regions: int('BENCH_REGIONS', 20, 2),
  workers: int('BENCH_WORKERS', 2),
  workerConcurrency: int('BENCH_WORKER_CONCURRENCY', 8),
  inFlight: int('BENCH_IN_FLIGHT', 20),
  rounds: int('BENCH_ROUNDS', 3),
  pollInterval: env.BENCH_POLL_INTERVAL || '50ms',
  sweepInterval: '30s',
  timeoutMs: int('BENCH_TIMEOUT_S', 900) * 1000,
  adminUrl: env.BENCH_DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
};
const ROOT = resolve(import.meta.dirname, '../..');
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const log = (line: string) => console.error(`[bench] ${line}`);

/** Canary = first region; the rest split into waves in the proportions of WAVE_SIZES. */
function stagesFor(regionCount: number): Stage[] {
  const regions = Array.from({ length: regionCount }, (_, i) => `r${pad(i + 1, 2)}`);
  const rest = regions.slice(1);
  const total = WAVE_SIZES.reduce((a, b) => a + b, 0);
  const stages: Stage[] = [{ name: 'canary', regions: [regions[0]!] }];
  let from = 0;
  let cumulative = 0;
  for (const size of WAVE_SIZES) {
    cumulative += size;
    const to = Math.round((cumulative / total) * rest.length);
    if (to > from) stages.push({ name: `wave-${stages.length}`, regions: rest.slice(from, to) });
    from = to;
  }
  return stages;
}

interface Round {
  cleanup: Cleanup;
  db: ScratchDb;
  sim: Awaited<ReturnType<typeof startSimulator>>;
  prefix: string;
  services: string[];
  stages: Stage[];
}

/** One complete, independent run: scratch DB, Redis prefix, simulator, floor, honest floor and engine (in `order`). */
async function runRound(round: number, cleanup: Cleanup): Promise<RoundReport> {
  const order = roundOrder(round);
  const stages = stagesFor(P.regions);
  const services = Array.from({ length: P.releases }, (_, i) => `svc-${pad(i + 1, 3)}`);
  const prefix = `tlbench${hex(4)}`;
  const totalConcurrency = P.workers * P.workerConcurrency;
  log(`round ${round} of ${P.rounds} (floor, then ${order})`);
  log(`${P.releases} releases × ${P.regions} regions, stages ${stages.map((s) => `${s.name}[${s.regions.length}]`).join(' → ')}`);

  const db = await createScratchDb(P.adminUrl);
  cleanup.add(`drop database ${db.name}`, () => db.drop());
  cleanup.add(`delete Redis keys ${prefix}:*`, () => deleteRedisPrefix(P.redisUrl, prefix));
  const pgVersion = (await db.pool.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;

  log(`floor: ${P.releases} rows × ${P.regions} steps, one in-process BullMQ Worker with concurrency ${totalConcurrency}`);
  const floorCpu0 = cpuSnapshot([]);
  const floor = await runFloor({
    databaseUrl: db.url,
    connection: redisConnection(P.redisUrl),
    prefix,
    rows: P.releases,
    stepsPerRow: P.regions,
    concurrency: totalConcurrency,
    timeoutMs: P.timeoutMs,
  });
  const floorCpu = cpuDelta(floorCpu0, cpuSnapshot([]));
  log(`floor: ${floor.steps} steps in ${floor.wallMs.toFixed(0)} ms`);

  const sim = await startSimulator({
    regions: stages.flatMap((s) => s.regions),
    stepMs: 0,
    deployments: [NAMESPACE, FLOOR_K8S_NAMESPACE].flatMap((namespace) =>
      services.map((name) => ({ namespace, name, container: 'app', image: `registry.example.com/${namespace}/${name}:1.0.0` })),
    ),
  });
  cleanup.add('close simulator', () => sim.close());

  const r: Round = { cleanup, db, sim, prefix, services, stages };
  // the honest floor and the engine share nothing but the simulator (own namespaces) and the DB (own tables)
  const [honestFloor, side] = await inOrder(
    order,
    () => runHonest(r),
    () => runEngineSide(r),
  );
  const { engine } = side;

  return {
    bench: 'release-throughput',
    at: new Date().toISOString(),
    round,
    order,
    machine: {
      nproc: availableParallelism(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: cpus()[0]?.model ?? 'unknown',
      postgres: pgVersion,
      redis: (await redisFacts(P.redisUrl)).version,
    },
    params: {
      releases: P.releases,
      regions: P.regions,
      stages: stages.map((s) => `${s.name}: ${s.regions[0]}–${s.regions.at(-1)} (maxParallel ${s.regions.length})`).join('; '),
      bake: '0s',
      simulatorStepMs: 0,
      pollInterval: P.pollInterval,
      sweepInterval: P.sweepInterval,
      workers: P.workers,
      workerConcurrency: P.workerConcurrency,
      postInFlight: P.inFlight,
      floorConcurrency: `${totalConcurrency} (one in-process BullMQ Worker)`,
      honestFloorConcurrency: `${P.workers} processes × ${P.workerConcurrency}`,
      logLevel: 'info',
      rounds: P.rounds,
    },
    engine,
    floor,
    ratio: engine.regionStepsPerSec / floor.stepsPerSec,
    honestFloor,
    honestRatio: engine.regionStepsPerSec / honestFloor.stepsPerSec,
    sql: side.sql,
    rss: side.rss,
    cpuSeconds: { engine: side.cpu, floor: floorCpu, honestFloor: honestFloor.cpuSeconds },
    logProblems: side.logProblems,
    simulatorPatches: sim.patchLog().filter((e) => e.namespace === NAMESPACE).length,
  };
}

async function runHonest({ db, sim, prefix, stages }: Round): Promise<HonestFloorResult> {
  log(
    `honest floor: ${P.releases} rows × ${P.regions} region-steps (GET + PATCH + GET, 2 commits), ${P.workers} processes × concurrency ${P.workerConcurrency}`,
  );
  const honestFloor = await runHonestFloor(
    {
      root: ROOT,
      databaseUrl: db.url,
      redisUrl: P.redisUrl,
      connection: redisConnection(P.redisUrl),
      prefix,
      simulatorUrl: sim.url,
      regions: stages.flatMap((s) => s.regions),
      rows: P.releases,
      workers: P.workers,
      concurrency: P.workerConcurrency,
      timeoutMs: P.timeoutMs,
    },
    log,
  );
  log(`honest floor: ${honestFloor.steps} steps in ${honestFloor.wallMs.toFixed(0)} ms`);
  return honestFloor;
}

type EngineSide = Pick<RoundReport, 'engine' | 'sql' | 'rss' | 'logProblems'> & { cpu: Record<string, number> };

/** API + workers, the engine run and what it cost; then the API and workers stop (in either order nothing of them runs beside the honest floor). */
async function runEngineSide({ cleanup, db, sim, prefix, services, stages }: Round): Promise<EngineSide> {
  const sql = sqlCounter();
  cleanup.add('remove SQL counts', async () => sql.remove());
  const configDir = writeBenchConfig({
    simulatorUrl: sim.url,
    services,
    stages,
    pollInterval: P.pollInterval,
    sweepInterval: P.sweepInterval,
    workerConcurrency: P.workerConcurrency,
  });
  cleanup.add('remove config dir', async () => rmSync(configDir, { recursive: true, force: true }));

  const procEnv = {
    ...sql.env,
    DATABASE_URL: db.url,
    REDIS_URL: P.redisUrl,
    TIDELINE_QUEUE_PREFIX: prefix,
    TIDELINE_CONFIG_DIR: configDir,
    LOG_LEVEL: 'info',
  };
  const port = await freePort();
  const api = await spawnNode('api', 'dist/apps/api/src/main.js', ROOT, { ...procEnv, PORT: String(port) }, '"msg":"api listening"');
  cleanup.add('stop api', () => api.stop());
  const workers: Proc[] = [];
  await Promise.all(
    Array.from({ length: P.workers }, async (_, i) => {
      const w = await spawnNode(
        `worker-${i + 1}`,
        'dist/apps/worker/src/main.js',
        ROOT,
        // each with its own /metrics listener, as deployed (both on the default 9464, one would warn and run without)
        { ...procEnv, METRICS_PORT: String(await freePort()), BENCH_NODE_ARGS: process.env.BENCH_WORKER_NODE_ARGS ?? '' },
        '"msg":"worker ready"',
      );
      workers.push(w);
      cleanup.add(`stop ${w.name}`, () => w.stop());
    }),
  );
  workers.sort((a, b) => a.name.localeCompare(b.name));
  log(`api (pid ${api.pid}) and ${workers.length} workers (pids ${workers.map((w) => w.pid).join(', ')}) ready`);

  const rssSampler = sampleRss([...workers, api]);
  const engineCpu0 = cpuSnapshot([...workers, api]);
  const sql0 = await sql.snapshot([...workers, api]);
  let engine: EngineResult;
  try {
    engine = await runEngine(
      {
        apiUrl: `http://127.0.0.1:${port}`,
        pool: db.pool,
        services,
        regionsPerRelease: P.regions,
        inFlight: P.inFlight,
        timeoutMs: P.timeoutMs,
      },
      log,
    );
  } catch (err) {
    rssSampler.stop();
    for (const p of [api, ...workers]) log(`${p.name} problems: ${JSON.stringify(p.problems())}\n${p.tail()}`);
    throw err;
  }
  const rss = rssSampler.stop();
  const cpu = cpuDelta(engineCpu0, cpuSnapshot([...workers, api]));
  const sql1 = await sql.snapshot([...workers, api]);
  const workerNames = workers.map((w) => w.name);
  const engineSql = {
    perRegionStep: sqlPer(sql0, sql1, workerNames, engine.regionSteps),
    perCreate: sqlPer(sql0, sql1, ['api'], engine.releases),
  };
  // taken before the stop, so that shutdown lines are not counted
  const logProblems = Object.fromEntries([api, ...workers].map((p) => [p.name, p.problems()]));
  await Promise.all([api, ...workers].map((p) => p.stop()));
  return { engine, sql: engineSql, rss, cpu, logProblems };
}

async function main(cleanup: Cleanup): Promise<void> {
  const report = headlineReport(await runRounds(P.rounds, cleanup, runRound));
  printReport(report);
  const isDefault =
    P.releases === 200 &&
    P.regions === 20 &&
    P.workers === 2 &&
    P.workerConcurrency === 8 &&
    P.inFlight === 20 &&
    P.pollInterval === '50ms';
  // BENCH_ROUNDS does not change the file name
  const suffix = isDefault ? '' : `-${P.releases}x${P.regions}-w${P.workers}c${P.workerConcurrency}`;
  log(`wrote ${writeMarkdown(report, env.BENCH_RESULTS_DIR || join(ROOT, 'bench', 'results'), suffix)}`);
}

runBench('bench', main);
