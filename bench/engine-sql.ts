/**
 * SQL statements per region-step of the engine: the release-throughput setup without the floor,
 * with every worker's and the API's pg statements counted (bench/sql-probe.ts).
 *
 *   npm run build && BENCH_RELEASES=50 node dist/bench/engine-sql.js
 *
 * Env: BENCH_RELEASES (50), BENCH_REGIONS (20), BENCH_WORKERS (2), BENCH_WORKER_CONCURRENCY (8),
 * BENCH_IN_FLIGHT (20), BENCH_POLL_INTERVAL (50ms), BENCH_DATABASE_ADMIN_URL, BENCH_REDIS_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator } from '../apps/simulator/src/server.js';
import { image, NAMESPACE, runEngine, writeBenchConfig, type Stage } from './engine-run.js';
import { probeDelta, readSqlProbe, sqlProbeEnv, type SqlProbeTally } from './sql-probe.js';
import { cpuDelta, cpuSnapshot, createScratchDb, deleteRedisPrefix, hex, runBench, spawnNode, type Cleanup, type Proc } from './support.js';

const env = process.env;
const int = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const P = {
  releases: int('BENCH_RELEASES', 50),
  regions: int('BENCH_REGIONS', 20),
  workers: int('BENCH_WORKERS', 2),
  workerConcurrency: int('BENCH_WORKER_CONCURRENCY', 8),
  inFlight: int('BENCH_IN_FLIGHT', 20),
  pollInterval: env.BENCH_POLL_INTERVAL || '50ms',
  adminUrl: env.BENCH_DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
};
const ROOT = resolve(import.meta.dirname, '../..');
const log = (line: string) => console.error(`[engine-sql] ${line}`);
const pad = (n: number) => String(n).padStart(3, '0');

/** Canary, then waves of 3/5/5/6 twentieths of the rest (as bench/release-throughput.ts). */
function stagesFor(count: number): Stage[] {
  const regions = Array.from({ length: count }, (_, i) => `r${String(i + 1).padStart(2, '0')}`);
  const stages: Stage[] = [{ name: 'canary', regions: [regions[0]!] }];
  const rest = regions.slice(1);
  let from = 0;
  let cumulative = 0;
  for (const size of [3, 5, 5, 6]) {
    cumulative += size;
    const to = Math.round((cumulative / 19) * rest.length);
    if (to > from) stages.push({ name: `wave-${stages.length}`, regions: rest.slice(from, to) });
    from = to;
  }
  return stages;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

function lines(label: string, t: SqlProbeTally, steps: number): string[] {
  const tx = t.byShape['BEGIN'] ?? 0;
  const out = [
    `${label}: ${(t.total / steps).toFixed(2)} statements per region-step in ${(tx / steps).toFixed(2)} transactions (${t.total})`,
  ];
  for (const [shape, n] of Object.entries(t.byShape).sort((a, b) => b[1] - a[1]))
    out.push(`  ${(n / steps).toFixed(3).padStart(7)}  ${shape}`);
  return out;
}

async function main(cleanup: Cleanup): Promise<void> {
  const stages = stagesFor(P.regions);
  const services = Array.from({ length: P.releases }, (_, i) => `svc-${pad(i + 1)}`);
  const prefix = `tlbench${hex(4)}`;
  const db = await createScratchDb(P.adminUrl);
  cleanup.add(`drop database ${db.name}`, () => db.drop());
  cleanup.add(`delete Redis keys ${prefix}:*`, () => deleteRedisPrefix(P.redisUrl, prefix));
  const probeDir = mkdtempSync(join(tmpdir(), 'tideline-sql-probe-'));
  cleanup.add('remove probe dir', async () => rmSync(probeDir, { recursive: true, force: true }));
  const sim = await startSimulator({
    regions: stages.flatMap((s) => s.regions),
    stepMs: 0,
    deployments: services.map((name) => ({ namespace: NAMESPACE, name, container: 'app', image: image(name, '1.0.0') })),
  });
  cleanup.add('close simulator', () => sim.close());
  const configDir = writeBenchConfig({
    simulatorUrl: sim.url,
    services,
    stages,
    pollInterval: P.pollInterval,
    sweepInterval: '30s',
    workerConcurrency: P.workerConcurrency,
  });
  cleanup.add('remove config dir', async () => rmSync(configDir, { recursive: true, force: true }));
  const procEnv = {
    DATABASE_URL: db.url,
    REDIS_URL: P.redisUrl,
    TIDELINE_QUEUE_PREFIX: prefix,
    TIDELINE_CONFIG_DIR: configDir,
    LOG_LEVEL: 'info',
  };
  const port = await freePort();
  const api = await spawnNode(
    'api',
    'dist/apps/api/src/main.js',
    ROOT,
    { ...procEnv, ...sqlProbeEnv(probeDir, 'api'), PORT: String(port) },
    '"msg":"api listening"',
  );
  cleanup.add('stop api', () => api.stop());
  const workers: Proc[] = [];
  for (let i = 0; i < P.workers; i++) {
    const w = await spawnNode(
      `worker-${i + 1}`,
      'dist/apps/worker/src/main.js',
      ROOT,
      { ...procEnv, ...sqlProbeEnv(probeDir, 'worker') },
      '"msg":"worker ready"',
    );
    workers.push(w);
    cleanup.add(`stop ${w.name}`, () => w.stop());
  }
  const snap = async () => ({
    api: await readSqlProbe(probeDir, 'api', api.pid),
    workers: await Promise.all(workers.map((w) => readSqlProbe(probeDir, 'worker', w.pid))),
  });
  const before = await snap();
  const cpu0 = cpuSnapshot([...workers, api]);
  const result = await runEngine(
    { apiUrl: `http://127.0.0.1:${port}`, pool: db.pool, services, regionsPerRelease: P.regions, inFlight: P.inFlight, timeoutMs: 900_000 },
    log,
  );
  const cpu = cpuDelta(cpu0, cpuSnapshot([...workers, api]));
  const after = await snap();
  const workerTally = after.workers.reduce<SqlProbeTally>(
    (sum, t, i) => {
      const d = probeDelta(before.workers[i]!, t);
      sum.total += d.total;
      for (const [k, v] of Object.entries(d.byShape)) sum.byShape[k] = (sum.byShape[k] ?? 0) + v;
      return sum;
    },
    { seq: 0, total: 0, byShape: {} },
  );
  const steps = result.regionSteps;
  const workerCpu = workers.reduce((s, w) => s + (cpu[w.name] ?? 0), 0);
  console.log(
    [
      `${P.releases} releases × ${P.regions} regions, ${P.workers} workers × ${P.workerConcurrency}: ${steps} region-steps in ${(result.wallMs / 1000).toFixed(1)} s = ${result.regionStepsPerSec.toFixed(1)}/s; ticks per release ${result.ticksPerRelease.mean.toFixed(1)}`,
      `cpu per region-step: workers ${((workerCpu / steps) * 1000).toFixed(2)} ms, postgres ${(((cpu['postgres'] ?? 0) / steps) * 1000).toFixed(2)} ms, api ${(((cpu['api'] ?? 0) / steps) * 1000).toFixed(2)} ms`,
      ...lines('workers', workerTally, steps),
      ...lines('api', probeDelta(before.api, after.api), steps),
      `log problems: ${JSON.stringify(Object.fromEntries([api, ...workers].map((p) => [p.name, p.problems()])))}`,
    ].join('\n'),
  );
}

runBench('engine-sql', main);
