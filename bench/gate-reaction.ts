/**
 * Gate reaction: how fast a failing Prometheus gate turns into rollback patches in every
 * touched region. One service, canary + one wave of 20 regions (maxParallel 20), an
 * error-rate gate (`< 0.01`, interval 1s, window 5s, failureLimit 1, onFailure rollback)
 * against a real Prometheus scraping the simulator every second; the API and a worker run as
 * processes, as in production.
 *
 * Each run releases a new version, waits until the canary is verified and every wave region is
 * baking, lets the gates settle, then injects a version fault (error rate 0.2) and measures:
 *   (a) first failing evaluation (`evaluatedAt`) → restore patch in each touched region
 *       (the simulator's patch log `at`), per run and over all (run × region) pairs;
 *   (b) fault injected → first restore patch in any region (end to end: scrape, rate window,
 *       gate interval, engine);
 *   (c) the gates' configured worst case (GET /v1/releases/{id}/gates) next to the measured figure.
 *
 *   npm run bench:gates                       # 25 runs, fault in one wave region per run
 *   BENCH_GATE_RUNS=5 npm run bench:gates     # smoke run
 *
 * Env: BENCH_GATE_RUNS, BENCH_GATE_REGIONS (canary + wave, default 21), BENCH_GATE_FAULT (one|all), BENCH_GATE_SETTLE_MS, BENCH_GATE_CANARY_BAKE,
 * BENCH_DATABASE_ADMIN_URL, BENCH_REDIS_URL, TEST_PROMETHEUS_BIN, BENCH_RESULTS_DIR (default bench/results). Exits non-zero on errors only;
 * there are no assertions on speed.
 */
import { rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator } from '../apps/simulator/src/server.js';
import { freePort, startPrometheus } from '../scripts/prometheus.js';
import { GATE_CONTAINER, GATE_NAMESPACE, GATE_SERVICE, gateImage, gateSpec, writeGateConfig, type GatePlanParams } from './gate-config.js';
import { printGateReport, summarize, writeGateMarkdown, type GateReport, type RunResult } from './gate-report.js';
import { probeDelayedJobs, probeUpdates } from './gate-probes.js';
import { runBench, type Cleanup, cpuDelta, cpuSnapshot, createScratchDb, deleteRedisPrefix, hex, spawnNode, envInt } from './support.js';
import { redisConnection } from '../libs/integrations/src/queue/redis.js';
import { gitHead, promPid, redisFacts } from './machine-facts.js';
import { OLD_VERSION, oneRun } from './gate-run.js';

const env = process.env;
const int = envInt;
const faultScope = env.BENCH_GATE_FAULT || 'one';
if (faultScope !== 'one' && faultScope !== 'all') throw new Error(`BENCH_GATE_FAULT must be "one" or "all", got "${faultScope}"`);
const P = {
  runs: int('BENCH_GATE_RUNS', 25),
  fault: faultScope as 'one' | 'all',
  errorRate: 0.2,
  /** after every wave region is baking: wait this long (+ 0–1000 ms random, so the fault lands at a random scrape phase) */
  settleMs: int('BENCH_GATE_SETTLE_MS', 5000, 0),
  /** canary + wave regions */
  regions: int('BENCH_GATE_REGIONS', 21, 2),
  stepMs: 20,
  scrapeSeconds: 1,
  adminUrl: env.BENCH_DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
  runTimeoutMs: 90_000,
};
const PLAN: Omit<GatePlanParams, 'simulatorUrl' | 'prometheusUrl' | 'canary' | 'wave'> = {
  canaryBake: env.BENCH_GATE_CANARY_BAKE || '5s',
  waveBake: '60s',
  gateInterval: '1s',
  gateWindow: '5s',
  threshold: '< 0.01',
  failureLimit: 1,
  pollInterval: '100ms',
  sweepInterval: '30s',
  workerConcurrency: 8,
};
const ROOT = resolve(import.meta.dirname, '../..');
const log = (line: string) => console.error(`[bench:gates] ${line}`);

async function main(cleanup: Cleanup): Promise<void> {
  const regions = Array.from({ length: P.regions }, (_, i) => `r${String(i + 1).padStart(2, '0')}`);
  const [canary, ...wave] = regions as [string, ...string[]];
  const prefix = `tlbenchg${hex(4)}`;

  const db = await createScratchDb(P.adminUrl);
  cleanup.add(`drop database ${db.name}`, () => db.drop());
  cleanup.add(`delete Redis keys ${prefix}:*`, () => deleteRedisPrefix(P.redisUrl, prefix));
  const pgVersion = (await db.pool.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;

  const sim = await startSimulator({
    regions,
    stepMs: P.stepMs,
    progressDeadlineSeconds: 30,
    deployments: [{ namespace: GATE_NAMESPACE, name: GATE_SERVICE, container: GATE_CONTAINER, image: gateImage(OLD_VERSION) }],
  });
  cleanup.add('close simulator', () => sim.close());
  // registered before it is ready: a signal during its start still stops it
  const starting = startPrometheus({ scrapeTargets: [new URL(sim.url).host], scrapeIntervalSeconds: P.scrapeSeconds });
  cleanup.add('close prometheus', () =>
    starting.then(
      (p) => p.close(),
      () => undefined,
    ),
  );
  const prom = await starting;
  const promVersion = await fetch(`${prom.url}/api/v1/status/buildinfo`)
    .then((r) => r.json() as Promise<{ data?: { version?: string } }>)
    .then((b) => b.data?.version ?? 'unknown')
    .catch(() => 'unknown');
  log(
    `simulator ${sim.url} (${regions.length} regions, stepMs ${P.stepMs}); prometheus ${promVersion} at ${prom.url}, scrape ${P.scrapeSeconds}s`,
  );

  const planParams: GatePlanParams = { ...PLAN, simulatorUrl: sim.url, prometheusUrl: prom.url, canary, wave };
  const configDir = writeGateConfig(planParams);
  cleanup.add('remove config dir', async () => rmSync(configDir, { recursive: true, force: true }));
  const procEnv = {
    DATABASE_URL: db.url,
    REDIS_URL: P.redisUrl,
    TIDELINE_QUEUE_PREFIX: prefix,
    TIDELINE_CONFIG_DIR: configDir,
    LOG_LEVEL: 'info',
  };
  const port = await freePort();
  const apiProc = await spawnNode('api', 'dist/apps/api/src/main.js', ROOT, { ...procEnv, PORT: String(port) }, '"msg":"api listening"');
  cleanup.add('stop api', () => apiProc.stop());
  const worker = await spawnNode('worker', 'dist/apps/worker/src/main.js', ROOT, procEnv, '"msg":"worker ready"');
  cleanup.add('stop worker', () => worker.stop());
  const apiUrl = `http://127.0.0.1:${port}`;
  log(`api (pid ${apiProc.pid}) and worker (pid ${worker.pid}) ready`);

  await prom.waitFor('count(sum by (region) (rate(sim_http_requests_total[5s])) > 0)', (s) => (s[0]?.value ?? 0) >= regions.length, 60_000);
  log(
    `every region's traffic is in Prometheus; ${P.runs} runs, fault ${P.fault === 'all' ? 'in every region' : 'in one wave region per run'}`,
  );

  const procs = [worker, apiProc, { name: 'prometheus', pid: promPid(prom) }].filter((p) => p.pid > 0);
  const cpu0 = cpuSnapshot(procs);
  const t0 = Date.now();
  const loads: number[] = [loadavg()[0]!];
  const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 5_000);
  const runs: RunResult[] = [];
  for (let i = 0; i < P.runs; i++) {
    let r: RunResult;
    try {
      r = await oneRun({ apiUrl, sim, prom, pool: db.pool, canary, wave }, { ...P, threshold: PLAN.threshold }, i);
    } catch (err) {
      for (const p of [apiProc, worker]) log(`${p.name} problems: ${JSON.stringify(p.problems())}\n${p.tail()}`);
      throw err;
    }
    runs.push(r);
    log(
      `run ${r.run}/${P.runs} ${r.version} fault ${r.faultRegions}: fault→first fail ${r.ms.firstFail} ms (${r.firstFailRegion}), ` +
        `first fail→patches ${Math.min(...r.failToPatchMs.map((x) => x.ms))}–${Math.max(...r.failToPatchMs.map((x) => x.ms))} ms in ${r.touched} regions, fault→first patch ${r.ms.firstPatch} ms`,
    );
  }
  const wallMs = Date.now() - t0;
  clearInterval(loadTimer);
  loads.push(loadavg()[0]!);
  const cpu = cpuDelta(cpu0, cpuSnapshot(procs));
  const updateProbe = await probeUpdates(db.pool, runs.at(-1)!.releaseId);
  const delayProbe = await probeDelayedJobs(redisConnection(P.redisUrl), prefix);

  const redis = await redisFacts(P.redisUrl);
  const report: GateReport = {
    bench: 'gate-reaction',
    at: new Date().toISOString(),
    machine: {
      nproc: availableParallelism(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: cpus()[0]?.model ?? 'unknown',
      postgres: pgVersion,
      redis: redis.version,
      redisHz: redis.hz,
      loadavgMean: (loads.reduce((a, b) => a + b, 0) / loads.length).toFixed(2),
      loadavgMax: Math.max(...loads).toFixed(2),
      prometheus: promVersion,
    },
    params: {
      runs: P.runs,
      regions: `${regions.length}: canary ${canary}, wave-1 ${wave[0]}–${wave.at(-1)} (maxParallel ${wave.length})`,
      canaryBake: PLAN.canaryBake,
      waveBake: PLAN.waveBake,
      gate: JSON.stringify({ ...gateSpec(planParams), query: undefined }),
      gateQuery: gateSpec(planParams).query,
      onFailure: 'rollback',
      fault: `errorRate ${P.errorRate} for the release's version in ${P.fault === 'all' ? 'every region' : 'one wave region (r02…r21 in turn)'}`,
      settleBeforeFault: `${P.settleMs} ms + U(0, 1000) ms after every wave region is baking`,
      simulatorStepMs: P.stepMs,
      simulatorRps: '20 per region',
      prometheusScrapeInterval: `${P.scrapeSeconds}s`,
      pollInterval: PLAN.pollInterval,
      sweepInterval: PLAN.sweepInterval,
      workers: '1 process, concurrency 8',
      commit: gitHead(),
      logLevel: 'info',
    },
    runs,
    summary: summarize(runs),
    wallMs,
    cpuSeconds: cpu,
    logProblems: Object.fromEntries([apiProc, worker].map((p) => [p.name, p.problems()])),
    updateProbe,
    delayProbe,
  };
  printGateReport(report);
  const isDefault = P.runs === 25 && P.regions === 21 && P.fault === 'one' && P.settleMs === 5000 && PLAN.canaryBake === '5s';
  const suffix =
    (isDefault ? '' : `-${P.runs}runs-${P.fault}${P.regions === 21 ? '' : `-${P.regions}regions`}`) +
    (redis.hz === '10' ? '' : `-redis-hz${redis.hz}`);
  log(`wrote ${writeGateMarkdown(report, env.BENCH_RESULTS_DIR || join(ROOT, 'bench', 'results'), suffix)}`);
}

runBench('bench:gates', main);
