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
import { execSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { startSimulator, type RunningSimulator } from '../apps/simulator/src/server.js';
import { freePort, startPrometheus, type RunningPrometheus } from '../scripts/prometheus.js';
import { GATE_CONTAINER, GATE_NAMESPACE, GATE_SERVICE, gateImage, gateSpec, writeGateConfig, type GatePlanParams } from './gate-config.js';
import { printGateReport, summarize, writeGateMarkdown, type GateReport, type RunResult } from './gate-report.js';
import { probeDelayedJobs, probeUpdates } from './gate-probes.js';
import {
  runBench,
  type Cleanup,
  cpuDelta,
  cpuSnapshot,
  createScratchDb,
  deleteRedisPrefix,
  hex,
  sleep,
  spawnNode,
  envInt,
} from './support.js';
import { redisConnection } from '../libs/integrations/src/queue/redis.js';
import { benchHeaders } from './token.js';

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
const OLD_VERSION = '1.0.0';
const log = (line: string) => console.error(`[bench:gates] ${line}`);
const TERMINAL = ['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded'];

interface ReleaseBody {
  id: string;
  state: string;
  stateReason: string | null;
  stages: Array<{ name: string; regions: Array<{ region: string; state: string; reason: string | null }> }>;
}
interface GatesBody {
  gates: Array<{
    region: string;
    gate: string;
    worstCaseBreachToActionMs: number;
    status: { lastVerdict: string | null; evaluations: number; failed: boolean } | null;
  }>;
  evaluations: Array<{
    id: string;
    region: string;
    verdict: string;
    observed: number | string | null;
    query: string;
    durationMs: number;
    dueAt: string | null;
    evaluatedAt: string;
  }>;
  nextAfter: string | null;
}
interface EventBody {
  id: string;
  type: string;
  region: string | null;
  at: string;
}

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: benchHeaders(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Every stored evaluation (paged) and the gates' status. */
async function allGates(base: string, id: string): Promise<GatesBody> {
  const first = await api<GatesBody>(base, 'GET', `/v1/releases/${id}/gates?limit=1000`);
  const evaluations = [...first.evaluations];
  let after = first.nextAfter;
  while (after) {
    const page = await api<GatesBody>(base, 'GET', `/v1/releases/${id}/gates?limit=1000&after=${after}`);
    evaluations.push(...page.evaluations);
    after = page.nextAfter;
  }
  return { gates: first.gates, evaluations, nextAfter: null };
}

async function allEvents(base: string, id: string): Promise<EventBody[]> {
  const out: EventBody[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await api<{ items: EventBody[] }>(base, 'GET', `/v1/releases/${id}/events?limit=1000${after ? `&after=${after}` : ''}`);
    out.push(...page.items);
    if (page.items.length < 1000) return out;
    after = page.items.at(-1)!.id;
  }
}

async function waitRelease(
  base: string,
  id: string,
  done: (r: ReleaseBody) => boolean,
  what: string,
  timeoutMs: number,
): Promise<ReleaseBody> {
  const deadline = Date.now() + timeoutMs;
  let last: ReleaseBody | undefined;
  while (Date.now() < deadline) {
    last = await api<ReleaseBody>(base, 'GET', `/v1/releases/${id}`);
    if (done(last)) return last;
    await sleep(50);
  }
  throw new Error(`release ${id}: ${what} not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/** A Prometheus range vector or range query (matrix) as [epoch ms, value] per series. */
async function promMatrix(prom: RunningPrometheus, path: string, params: Record<string, string>): Promise<Array<Array<[number, number]>>> {
  const res = await fetch(`${prom.url}${path}?${new URLSearchParams(params).toString()}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: Array<{ values?: Array<[number, string]> }> };
  };
  if (body.status !== 'success' || !body.data) throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
  if (body.data.resultType !== 'matrix') throw new Error(`prometheus ${path}: expected a matrix, got ${body.data.resultType}`);
  return body.data.result.map((s) => (s.values ?? []).map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]));
}

/** Timestamp of the first scraped sample with errors for the version in the region (null when none). */
async function firstErrorSample(prom: RunningPrometheus, region: string, version: string, atMs: number): Promise<number | null> {
  const sel = `sim_http_requests_total{region="${region}", deployment="${GATE_SERVICE}", version="${version}", code="500"}`;
  const series = await promMatrix(prom, '/api/v1/query', { query: `${sel}[3m]`, time: (atMs / 1000).toFixed(3) });
  const hits = series
    .flat()
    .filter(([, v]) => v > 0)
    .map(([t]) => t);
  return hits.length ? Math.min(...hits) : null;
}

/** First instant (50 ms steps) from `fromMs` at which the gate's resolved query breaches the threshold. */
async function breachVisibleAt(
  prom: RunningPrometheus,
  query: string,
  threshold: number,
  fromMs: number,
  toMs: number,
): Promise<number | null> {
  const series = await promMatrix(prom, '/api/v1/query_range', {
    query,
    start: (fromMs / 1000).toFixed(3),
    end: (toMs / 1000).toFixed(3),
    step: '0.05',
  });
  const hits = series
    .flat()
    .filter(([, v]) => v >= threshold)
    .map(([t]) => t);
  return hits.length ? Math.min(...hits) : null;
}

async function redisFacts(url: string): Promise<{ version: string; hz: string }> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  try {
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
    const hz = await redis
      .config('GET', 'hz')
      .then((r) => String((r as string[])[1] ?? 'unknown'))
      .catch(() => 'unknown');
    return { version, hz };
  } finally {
    redis.disconnect();
  }
}

async function oneRun(
  ctx: { apiUrl: string; sim: RunningSimulator; prom: RunningPrometheus; pool: pg.Pool; canary: string; wave: string[] },
  i: number,
): Promise<RunResult> {
  const { apiUrl, sim, prom, canary, wave } = ctx;
  const version = `2.0.${i + 1}`;
  const newImage = gateImage(version);
  const oldImage = gateImage(OLD_VERSION);
  const faultRegions = P.fault === 'all' ? [canary, ...wave] : [wave[i % wave.length]!];
  const startSeq = sim.patchLog({ name: GATE_SERVICE }).at(-1)?.seq ?? 0;

  const created = await api<ReleaseBody>(apiUrl, 'POST', '/v1/releases', {
    service: GATE_SERVICE,
    version,
    image: newImage,
    releaseNumber: i + 1,
  });
  const allBaking = (r: ReleaseBody) => {
    if (TERMINAL.includes(r.state) || r.state === 'paused')
      throw new Error(`release ${r.id} (${version}) ended up ${r.state} before the fault: ${r.stateReason}`);
    const regions = r.stages.flatMap((s) => s.regions);
    return regions.every((x) => (x.region === canary ? x.state === 'verified' : x.state === 'baking'));
  };
  const baking = await waitRelease(apiUrl, created.id, allBaking, 'canary verified + every wave region baking', P.runTimeoutMs);
  const touchedAtFault = baking.stages.flatMap((s) => s.regions).filter((x) => x.state === 'baking' || x.state === 'verified').length;
  await sleep(P.settleMs + Math.random() * 1000);
  const before = await allGates(apiUrl, created.id);
  const passingAtFault = before.gates.filter((g) => g.status?.lastVerdict === 'pass').length;
  const stillRunning = await api<ReleaseBody>(apiUrl, 'GET', `/v1/releases/${created.id}`);
  if (stillRunning.state !== 'running')
    throw new Error(`release ${created.id} is ${stillRunning.state} before the fault: ${stillRunning.stateReason}`);

  const tFault = Date.now();
  sim.injectVersionFault({ version, regions: faultRegions, errorRate: P.errorRate });
  let done: ReleaseBody;
  try {
    done = await waitRelease(apiUrl, created.id, (r) => TERMINAL.includes(r.state), 'a terminal state', P.runTimeoutMs);
  } finally {
    sim.clearVersionFaults();
  }
  if (done.state !== 'rolled_back') throw new Error(`release ${created.id} (${version}) ended ${done.state}: ${done.stateReason}`);

  const { gates, evaluations } = await allGates(apiUrl, created.id);
  const events = await allEvents(apiUrl, created.id);
  const fails = evaluations.filter((e) => e.verdict === 'fail').sort((a, b) => Date.parse(a.evaluatedAt) - Date.parse(b.evaluatedAt));
  const firstFail = fails[0];
  if (!firstFail) throw new Error(`release ${created.id} rolled back without a failing evaluation`);
  const tFail = Date.parse(firstFail.evaluatedAt);
  if (tFail < tFault) throw new Error(`release ${created.id}: a gate failed before the fault (${firstFail.evaluatedAt})`);

  const patches = sim.patchLog({ name: GATE_SERVICE }).filter((p) => p.seq > startSeq && p.rejected === undefined);
  const touched = [...new Set(patches.filter((p) => p.images[GATE_CONTAINER] === newImage).map((p) => p.region))];
  const restoreAt = new Map<string, number>();
  for (const p of patches) {
    if (p.images[GATE_CONTAINER] !== oldImage || restoreAt.has(p.region)) continue;
    if (!touched.includes(p.region)) continue;
    restoreAt.set(p.region, Date.parse(p.at));
  }
  const missing = touched.filter((r) => !restoreAt.has(r));
  if (missing.length) throw new Error(`release ${created.id}: no restore patch in ${missing.join(', ')}`);
  const restores = [...restoreAt.values()];
  const firstPatch = Math.min(...restores);
  const lastPatch = Math.max(...restores);

  const at = (type: string, pick: 'first' | 'last' = 'first') => {
    const times = events.filter((e) => e.type === type).map((e) => Date.parse(e.at));
    return times.length ? (pick === 'first' ? Math.min(...times) : Math.max(...times)) : null;
  };
  const gateFailedAt = at('gate.failed');
  const rollingBackAt = at('release.rolling_back');
  const restoreEventAt = at('region.restore_patched');
  const rolledBackAt = at('release.rolled_back');
  // evaluations of other gates in a round that ran after the failure was committed and before the rollback began
  const extraEvaluations = evaluations.filter((e) => {
    const t = Date.parse(e.evaluatedAt);
    return gateFailedAt !== null && rollingBackAt !== null && t > gateFailedAt && t <= rollingBackAt;
  }).length;
  const { rows } = await ctx.pool.query<{ ticks: number; life_ms: number }>(
    `SELECT tick_seq AS ticks, (EXTRACT(EPOCH FROM (ended_at - created_at)) * 1000)::float8 AS life_ms FROM releases WHERE id = $1`,
    [created.id],
  );
  const evaluationsPerSecond = evaluations.length / (rows[0]!.life_ms / 1000);
  // time between consecutive evaluations of one region's gate (configured interval 1s)
  // and how long after it was due (`dueAt`, on the gate's grid) each evaluation's query started
  const byRegion = new Map<string, Array<{ t: number; q: number }>>();
  for (const e of evaluations)
    byRegion.set(e.region, [...(byRegion.get(e.region) ?? []), { t: Date.parse(e.evaluatedAt), q: e.durationMs }]);
  const periodsMs: number[] = [];
  for (const list of byRegion.values()) {
    list.sort((a, b) => a.t - b.t);
    for (let k = 1; k < list.length; k++) periodsMs.push(list[k]!.t - list[k - 1]!.t);
  }
  const dueLagMs = evaluations.filter((e) => e.dueAt !== null).map((e) => Date.parse(e.evaluatedAt) - e.durationMs - Date.parse(e.dueAt!));
  // the gate round the failing evaluation belonged to (rounds are ~1 s apart, queries take tens of ms)
  const roundSize = evaluations.filter((e) => {
    const t = Date.parse(e.evaluatedAt);
    return gateFailedAt !== null && t >= tFail - 250 && t <= gateFailedAt;
  }).length;

  const threshold = Number(/[-\d.e+]+/.exec(PLAN.threshold)![0]);
  const firstErr = await firstErrorSample(prom, firstFail.region, version, Date.now());
  const breach = await breachVisibleAt(prom, firstFail.query, threshold, tFault - 500, tFail + 200);
  const rel = (t: number | null) => (t === null ? null : t - tFault);

  return {
    run: i + 1,
    version,
    releaseId: created.id,
    faultRegions: P.fault === 'all' ? 'all' : faultRegions.join(','),
    touchedAtFault,
    touched: touched.length,
    passingAtFault,
    gatesWatched: before.gates.length,
    worstCaseMs: Math.max(...gates.map((g) => g.worstCaseBreachToActionMs)),
    firstFailRegion: firstFail.region,
    firstFailObserved: Number(firstFail.observed),
    firstFailQueryMs: firstFail.durationMs,
    failingEvaluations: fails.length,
    extraEvaluations,
    roundSize,
    periodsMs,
    dueLagMs,
    ticks: rows[0]!.ticks,
    ticksPerSecond: rows[0]!.ticks / (rows[0]!.life_ms / 1000),
    evaluationsPerSecond,
    ms: {
      firstErrorSample: rel(firstErr),
      breachVisible: rel(breach),
      firstFail: tFail - tFault,
      gateFailedEvent: rel(gateFailedAt),
      rollingBackEvent: rel(rollingBackAt),
      firstPatch: firstPatch - tFault,
      lastPatch: lastPatch - tFault,
      restorePatchedEvent: rel(restoreEventAt),
      rolledBack: rel(rolledBackAt),
    },
    failToPatchMs: [...restoreAt.entries()].map(([region, t]) => ({ region, ms: t - tFail })),
  };
}

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
      r = await oneRun({ apiUrl, sim, prom, pool: db.pool, canary, wave }, i);
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

function gitHead(): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return env.BENCH_GIT_COMMIT || 'unknown';
  }
}

/** Prometheus' pid, from the process table (its listen port is unique to this run). */
function promPid(prom: RunningPrometheus): number {
  return findPid((cmdline) => cmdline.includes('prometheus') && cmdline.includes(`--web.listen-address=127.0.0.1:${prom.port}`));
}

function findPid(match: (cmdline: string) => boolean): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (match(readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' '))) return Number(d);
    } catch {
      /* gone */
    }
  }
  return -1;
}

runBench('bench:gates', main);
