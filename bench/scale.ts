/**
 * Scale: N active releases (one service each) × R watched regions with a long bake and 2 gates
 * (error rate, p90 latency) at 30 s against a real Prometheus scraping the simulator, 2 workers.
 * After every release is baking in every watched region and one gate interval has passed, it
 * measures for a window: worker RSS, CPU of each worker, Postgres and Prometheus, Prometheus
 * queries/s, gate evaluations/s and CPU per region-gate evaluation, tick lateness (BullMQ due →
 * taken, tideline_job_wait_seconds), gate lateness (due → query start, from the stored
 * evaluations), Postgres sessions opened (pool churn). Soak mode measures 30 min and the RSS trend.
 *
 *   npm run bench:scale                                   # N = 100, 300, 1000; 20 regions; 2 min each
 *   BENCH_SCALE_RELEASES=50 npm run bench:scale           # one size
 *   BENCH_SCALE_SOAK=1 BENCH_SCALE_RELEASES=300 npm run bench:scale   # 30 min soak
 *
 * Env: BENCH_SCALE_RELEASES (list), BENCH_SCALE_REGIONS (20), BENCH_SCALE_WORKERS (2), BENCH_SCALE_MEASURE_S (120),
 * BENCH_SCALE_SOAK (0|1), BENCH_SCALE_SOAK_MIN (30), BENCH_SCALE_INTERVAL (30s), BENCH_SCALE_SCRAPE_S (5),
 * BENCH_SCALE_ROOT (a built tree whose workers to run, for before/after; the API is this tree's), BENCH_SCALE_WORKER_ENV
 * (extra worker env, e.g. TIDELINE_GATE_BATCH=off), BENCH_DATABASE_ADMIN_URL, BENCH_REDIS_URL, BENCH_RESULTS_DIR.
 */
import { execSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { startSimulator } from '../apps/simulator/src/server.js';
import { parseDuration } from '#config/duration';
import { freePort, startPrometheus } from '../scripts/prometheus.js';
import { deployedWorkerNodeOptions, scaleImage, SCALE_NAMESPACE, writeScaleConfig } from './scale-config.js';
import {
  backendCpu,
  backendCpuDelta,
  findPid,
  gateTiming,
  pgSessions,
  rssTrend,
  slopePerHour,
  tickWaitQuantile,
  workerCounters,
} from './scale-probe.js';
import { writeScaleMarkdown, type ScaleRow } from './scale-report.js';
import {
  cpuDelta,
  cpuSnapshot,
  createScratchDb,
  deleteRedisPrefix,
  hex,
  mapLimit,
  runBench,
  sleep,
  spawnNode,
  type Cleanup,
  envInt,
} from './support.js';
import { benchHeaders } from './token.js';

const env = process.env;
const int = envInt;
const soak = env.BENCH_SCALE_SOAK === '1';
const WORKER_NODE_OPTIONS = deployedWorkerNodeOptions(resolve(import.meta.dirname, '../..')) ?? '';
const P = {
  sizes: (env.BENCH_SCALE_RELEASES || '100,300,1000').split(',').map((s) => Number(s.trim())),
  regions: int('BENCH_SCALE_REGIONS', 20),
  workers: int('BENCH_SCALE_WORKERS', 2),
  measureS: soak ? int('BENCH_SCALE_SOAK_MIN', 30) * 60 : int('BENCH_SCALE_MEASURE_S', 120),
  interval: env.BENCH_SCALE_INTERVAL || '30s',
  scrapeS: int('BENCH_SCALE_SCRAPE_S', 5),
  root: resolve(env.BENCH_SCALE_ROOT || resolve(import.meta.dirname, '../..')),
  workerEnv: Object.fromEntries(
    (env.BENCH_SCALE_WORKER_ENV || '')
      .split(/\s+(?=[A-Za-z_][A-Za-z0-9_]*=)/) // NAME=value pairs; a value may hold spaces (NODE_OPTIONS=--a --b)
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  ),
  adminUrl: env.BENCH_DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
};
if (P.sizes.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error(`BENCH_SCALE_RELEASES must list integers, got "${env.BENCH_SCALE_RELEASES}"`);
const intervalMs = parseDuration(P.interval);
const ROOT = resolve(import.meta.dirname, '../..');
const log = (line: string) => console.error(`[bench:scale] ${line}`);

async function waitBaking(pool: import('pg').Pool, want: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const { rows } = await pool.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM region_targets GROUP BY state');
    const counts = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    last = JSON.stringify(counts);
    if ((counts['baking'] ?? 0) >= want) return;
    const bad = await pool.query<{ state: string; reason: string | null; n: string }>(
      `SELECT state, state_reason AS reason, count(*) AS n FROM releases WHERE state NOT IN ('running', 'queued') GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 5`,
    );
    if (bad.rows.length > 0) {
      const why = bad.rows.map((r) => `${r.n} ${r.state}${r.reason ? ` (${r.reason})` : ''}`).join('; ');
      throw new Error(`a release left running before the measurement: ${why}; targets ${last}`);
    }
    await sleep(1000);
  }
  throw new Error(`not every watched region baking after ${timeoutMs} ms: ${last}`);
}

async function oneSize(n: number, cleanup: Cleanup): Promise<ScaleRow> {
  const services = Array.from({ length: n }, (_, i) => `s${String(i + 1).padStart(4, '0')}`);
  const regions = Array.from({ length: P.regions + 1 }, (_, i) => `r${String(i + 1).padStart(2, '0')}`);
  const [canary, ...wave] = regions as [string, ...string[]];
  const prefix = `tlbenchs${hex(4)}`;
  const db = await createScratchDb(P.adminUrl);
  cleanup.add(`drop database ${db.name}`, () => db.drop());
  cleanup.add(`delete Redis keys ${prefix}:*`, () => deleteRedisPrefix(P.redisUrl, prefix));
  const sim = await startSimulator({
    regions,
    stepMs: 20,
    progressDeadlineSeconds: 120,
    deployments: services.map((name) => ({ namespace: SCALE_NAMESPACE, name, container: 'app', image: scaleImage(name, '1.0.0') })),
  });
  cleanup.add('close simulator', () => sim.close());
  // registered before it is ready: a signal during its start still stops it
  const starting = startPrometheus({ scrapeTargets: [new URL(sim.url).host], scrapeIntervalSeconds: P.scrapeS, readyTimeoutMs: 120_000 });
  cleanup.add('close prometheus', () =>
    starting.then(
      (p) => p.close(),
      () => undefined,
    ),
  );
  const prom = await starting;
  const configDir = writeScaleConfig({
    simulatorUrl: sim.url,
    prometheusUrl: prom.url,
    services,
    canary,
    wave,
    bake: '6h',
    gateInterval: P.interval,
    workerConcurrency: 8,
  });
  cleanup.add('remove config dir', async () => rmSync(configDir, { recursive: true, force: true }));
  const procEnv = {
    DATABASE_URL: db.url,
    REDIS_URL: P.redisUrl,
    TIDELINE_QUEUE_PREFIX: prefix,
    TIDELINE_CONFIG_DIR: configDir,
    LOG_LEVEL: 'warn',
  };
  const port = await freePort();
  const api = await spawnNode(
    'api',
    'dist/apps/api/src/main.js',
    ROOT,
    { ...procEnv, PORT: String(port), LOG_LEVEL: 'info' },
    '"msg":"api listening"',
  );
  cleanup.add('stop api', () => api.stop());
  const workers = [];
  const metricsUrls: string[] = [];
  for (let w = 0; w < P.workers; w++) {
    const mport = await freePort();
    const worker = await spawnNode(
      `worker${w + 1}`,
      'dist/apps/worker/src/main.js',
      P.root,
      // NODE_OPTIONS as deployed (deploy/base/worker.yaml) unless BENCH_SCALE_WORKER_ENV sets its own
      { ...procEnv, NODE_OPTIONS: WORKER_NODE_OPTIONS, ...P.workerEnv, METRICS_PORT: String(mport), LOG_LEVEL: 'info' },
      '"msg":"worker ready"',
    );
    cleanup.add(`stop worker ${w + 1}`, () => worker.stop());
    workers.push(worker);
    metricsUrls.push(`http://127.0.0.1:${mport}/metrics`);
  }
  const apiUrl = `http://127.0.0.1:${port}`;
  await prom.waitFor('count(count by (region) (sim_http_requests_total))', (s) => (s[0]?.value ?? 0) >= regions.length, 120_000);
  log(
    `N=${n}: simulator (${regions.length} regions × ${n} deployments), prometheus (scrape ${P.scrapeS}s), api, ${P.workers} workers ready; creating releases`,
  );

  const created = Date.now();
  await mapLimit(services, 8, async (service, i) => {
    const body = JSON.stringify({ service, version: '2.0.0', image: scaleImage(service, '2.0.0'), releaseNumber: i + 1 });
    // a POST is idempotent (same service, version and number): retried when the connection drops
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${apiUrl}/v1/releases`, { method: 'POST', headers: benchHeaders(true), body });
        if (res.status >= 300) throw new Error(`POST /v1/releases ${service}: ${res.status} ${await res.text()}`);
        return;
      } catch (err) {
        if (attempt >= 5 || !(err instanceof TypeError)) throw new Error(`${String(err)}; api: ${api.tail()}`, { cause: err });
        await sleep(500 * attempt);
      }
    }
  });
  await waitBaking(db.pool, n * wave.length, 120_000 + n * 600);
  log(`N=${n}: ${n * wave.length} regions baking after ${((Date.now() - created) / 1000).toFixed(0)} s; warming up one gate interval`);
  await sleep(intervalMs + 5_000);

  const promPid = findPid((c) => c.includes('prometheus') && c.includes(`--web.listen-address=127.0.0.1:${prom.port}`));
  const procs = [...workers, { name: 'api', pid: api.pid }, { name: 'prometheus', pid: promPid }];
  const c0 = await workerCounters(metricsUrls);
  const cpu0 = cpuSnapshot(procs);
  const s0 = await pgSessions(db.pool, db.name);
  const b0 = await backendCpu(db.pool, db.name);
  const loads = [loadavg()[0]!];
  const from = new Date().toISOString();
  const trend = rssTrend([...workers, { name: 'prometheus', pid: promPid }], soak ? 30_000 : 5_000);
  const t0 = Date.now();
  /** per worker: [s since the window began, V8 heap used MiB] */
  const heap: Record<string, Array<[number, number]>> = Object.fromEntries(workers.map((w, i) => [w.name, [[0, c0.heapUsedMiB[i]!]]]));
  while (Date.now() - t0 < P.measureS * 1000) {
    await sleep(Math.min(30_000, P.measureS * 1000 - (Date.now() - t0)));
    loads.push(loadavg()[0]!);
    if (soak) {
      const now = await workerCounters(metricsUrls);
      workers.forEach((w, i) => heap[w.name]!.push([(Date.now() - t0) / 1000, now.heapUsedMiB[i]!]));
      log(
        `N=${n}: soak ${((Date.now() - t0) / 60_000).toFixed(1)} min, heap used ${now.heapUsedMiB.map((h) => h.toFixed(0)).join(' / ')} MiB`,
      );
    }
  }
  const wallS = (Date.now() - t0) / 1000;
  const rss = trend.stop();
  const to = new Date().toISOString();
  const cpu = cpuDelta(cpu0, cpuSnapshot(procs));
  const c1 = await workerCounters(metricsUrls);
  workers.forEach((w, i) => heap[w.name]!.push([wallS, c1.heapUsedMiB[i]!]));
  const s1 = await pgSessions(db.pool, db.name);
  const dbCpu = backendCpuDelta(b0, await backendCpu(db.pool, db.name));
  const timing = await gateTiming(db.pool, from, to);
  const tick = tickWaitQuantile(c0, c1, 0.99);
  const evaluations = c1.evaluations - c0.evaluations;
  const workerCpu = workers.reduce((a, w) => a + (cpu[w.name] ?? 0), 0);
  const states = await db.pool.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM releases GROUP BY state');
  const problems = Object.fromEntries([api, ...workers].map((p) => [p.name, p.problems()]));
  const row: ScaleRow = {
    releases: n,
    watchedRegions: wave.length,
    gates: 2,
    wallS,
    evaluations,
    evaluationsPerS: evaluations / wallS,
    promQueriesPerS: (c1.promQueries - c0.promQueries) / wallS,
    regionGatesPerQuery: c1.promQueries > c0.promQueries ? evaluations / (c1.promQueries - c0.promQueries) : 0,
    cpuS: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Number(v.toFixed(2))])),
    workerCpuMsPerEval: evaluations ? (workerCpu * 1000) / evaluations : NaN,
    postgresCpuMsPerEval: evaluations ? (dbCpu * 1000) / evaluations : NaN,
    postgresAllCpuMsPerEval: evaluations ? ((cpu['postgres'] ?? 0) * 1000) / evaluations : NaN,
    workerCpuPct: workers.map((w) => (100 * (cpu[w.name] ?? 0)) / wallS),
    rssPeakMiB: Object.fromEntries(Object.entries(rss).map(([k, pts]) => [k, Math.max(...pts.map(([, y]) => y))])),
    rssSlopeMiBPerH: Object.fromEntries(Object.entries(rss).map(([k, pts]) => [k, slopePerHour(pts.filter(([x]) => x >= wallS / 3))])),
    tickWaitP99UpToS: tick.upToS,
    ticks: tick.ticks,
    gateLateP50Ms: timing.lateP50Ms,
    gateLateP99Ms: timing.lateP99Ms,
    gateLateMaxMs: timing.lateMaxMs,
    evalsPerRound: timing.perRound,
    pgSessionsOpened: s0 === null || s1 === null ? null : s1 - s0,
    loadavg: (loads.reduce((a, b) => a + b, 0) / loads.length).toFixed(2),
    releaseStates: Object.fromEntries(states.rows.map((r) => [r.state, Number(r.n)])),
    logProblems: problems,
    rssSeries: soak ? rss : undefined,
    heapUsedMiB: Object.fromEntries(workers.map((w, i) => [w.name, [c0.heapUsedMiB[i]!, c1.heapUsedMiB[i]!]])),
    heapSlopeMiBPerH: Object.fromEntries(Object.entries(heap).map(([k, pts]) => [k, slopePerHour(pts.filter(([x]) => x >= wallS / 3))])),
    heapSeries: soak ? heap : undefined,
  };
  log(
    `N=${n}: ${row.evaluationsPerS.toFixed(1)} evaluations/s, ${row.promQueriesPerS.toFixed(2)} queries/s, worker CPU ${row.workerCpuMsPerEval.toFixed(2)} ms/eval, ` +
      `postgres ${row.postgresCpuMsPerEval.toFixed(2)} ms/eval, tick wait p99 ≤ ${tick.upToS} s, gate lateness p99 ${timing.lateP99Ms} ms, ` +
      `RSS peak ${JSON.stringify(row.rssPeakMiB)}`,
  );
  await cleanup.run();
  return row;
}

async function main(cleanup: Cleanup): Promise<void> {
  const rows: ScaleRow[] = [];
  for (const n of P.sizes) rows.push(await oneSize(n, cleanup));
  const file = writeScaleMarkdown(env.BENCH_RESULTS_DIR || join(ROOT, 'bench', 'results'), {
    at: new Date().toISOString(),
    soak,
    label: [P.root === ROOT ? '' : basename(P.root), ...Object.entries(P.workerEnv).map(([k, v]) => `${k}-${v}`)]
      .filter(Boolean)
      .join('-')
      .replace(/[^A-Za-z0-9_-]/g, '_'),
    rows,
    params: {
      sizes: P.sizes.join(', '),
      watchedRegions: `${P.regions} (wave of ${P.regions}, maxParallel ${P.regions}; plus a canary without gates)`,
      gates: `error-rate < 0.05 and p90-latency < 2 s, interval ${P.interval}, window 1m`,
      bake: '6h (no release ends during the run)',
      workers: `${P.workers} processes, concurrency 8`,
      measure: `${P.measureS} s after every watched region is baking + one interval`,
      prometheusScrape: `${P.scrapeS}s`,
      tree: P.root === ROOT ? 'this tree' : P.root,
      workerEnv: JSON.stringify({ NODE_OPTIONS: WORKER_NODE_OPTIONS, ...P.workerEnv }),
      commit: gitHead(P.root),
    },
    machine: { nproc: availableParallelism(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown' },
  });
  log(`wrote ${file}`);
}

function gitHead(dir: string): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

runBench('bench:scale', main);
