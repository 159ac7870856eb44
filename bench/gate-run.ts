/** One run of the gate bench: release, wait for every wave region to bake, inject a fault, measure (bench/gate-reaction.ts). */
import type pg from 'pg';
import type { RunningSimulator } from '../apps/simulator/src/server.js';
import type { RunningPrometheus } from '../scripts/prometheus.js';
import { GATE_CONTAINER, GATE_SERVICE, gateImage } from './gate-config.js';
import type { RunResult } from './gate-report.js';
import { allEvents, allGates, api, waitRelease, type ReleaseBody } from './gate-api.js';
import { breachVisibleAt, firstErrorSample } from './gate-prom.js';
import { sleep } from './support.js';

/** The version every region runs before a run's release. */
export const OLD_VERSION = '1.0.0';
const TERMINAL = ['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded'];

export interface RunContext {
  apiUrl: string;
  sim: RunningSimulator;
  prom: RunningPrometheus;
  pool: pg.Pool;
  canary: string;
  wave: string[];
}

export interface RunParams {
  fault: 'one' | 'all';
  errorRate: number;
  settleMs: number;
  runTimeoutMs: number;
  /** the gate's threshold (e.g. "< 0.01") */
  threshold: string;
}

export async function oneRun(ctx: RunContext, P: RunParams, i: number): Promise<RunResult> {
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

  const threshold = Number(/[-\d.e+]+/.exec(P.threshold)![0]);
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
