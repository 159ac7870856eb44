/**
 * Streak accounting for one gate through a bake (and afterwards while a verified region stays
 * watched).
 *
 * - effective verdict = verdict, except inconclusive counts as fail under policy 'fail' and
 *   as pass under policy 'pass'.
 * - effective fail → consecutiveFailures + 1; effective pass → 0; error and inconclusive
 *   (policy 'pause') leave it unchanged.
 * - error → consecutiveErrors + 1; any other verdict resets it to 0.
 * - consecutiveFailures ≥ failureLimit → failed (sticky); the `fail` action is returned once,
 *   on the evaluation that fails the gate; readyToVerify keeps answering `fail` afterwards.
 * - consecutiveErrors ≥ errorLimit → `pause` action (again on every further error; after an
 *   operator resumes, the caller may reset the streak with clearErrorStreak).
 * - due times are kept: the next evaluation is due on the gate's grid of intervals (nextDueAfter).
 * - while the region bakes, each effective pass extends the gate's bake coverage (coverage.ts);
 *   the region is ready only when the coverage has no time missing.
 */
import { extendCoverage, missingCoverageMs, type BakeWindow, type Coverage } from './coverage.js';
import { formatValue } from './format.js';
import { nextDueAfter } from './round-timing.js';
import type { Evaluation, GateSpec, Verdict } from './types.js';

export interface GateStatus {
  evaluations: number;
  consecutiveFailures: number;
  consecutiveErrors: number;
  lastVerdict: Verdict | null;
  lastReason: string | null;
  lastEvaluatedAtMs: number | null;
  nextDueAtMs: number;
  failed: boolean;
  /** why the gate failed (set with `failed`) */
  failReason?: string | null;
  /** what passing evaluations observed of the bake (absent before the first one) */
  coverage?: Coverage | null;
}

export type GateAction = { kind: 'none' } | { kind: 'fail'; reason: string } | { kind: 'pause'; reason: string };

export type Readiness =
  | { ready: true }
  | { ready: false; evaluateNow: boolean; uncovered?: string }
  | { ready: false; pause: string }
  | { ready: false; fail: string };

/** First evaluation one interval into the bake, or at its end when the bake is shorter. */
export function initialGateStatus(gate: GateSpec, bakeStartMs: number, bakeMs: number): GateStatus {
  return {
    evaluations: 0,
    consecutiveFailures: 0,
    consecutiveErrors: 0,
    lastVerdict: null,
    lastReason: null,
    lastEvaluatedAtMs: null,
    nextDueAtMs: bakeStartMs + Math.max(0, Math.min(gate.intervalMs, bakeMs)),
    failed: false,
    failReason: null,
  };
}

export function effectiveVerdict(gate: GateSpec, verdict: Verdict): Verdict {
  if (verdict !== 'inconclusive') return verdict;
  if (gate.inconclusive === 'fail') return 'fail';
  if (gate.inconclusive === 'pass') return 'pass';
  return 'inconclusive';
}

/** `bakeStartMs`: the region is baking since then (its passes extend the bake coverage); null when not baking. */
export function recordVerdict(
  gate: GateSpec,
  status: GateStatus,
  ev: Evaluation,
  nowMs: number,
  bakeStartMs: number | null = null,
): { status: GateStatus; action: GateAction } {
  const effective = effectiveVerdict(gate, ev.verdict);
  const coverage =
    bakeStartMs !== null && effective === 'pass' ? extendCoverage(gate, status.coverage, bakeStartMs, nowMs) : (status.coverage ?? null);
  const consecutiveFailures = effective === 'fail' ? status.consecutiveFailures + 1 : effective === 'pass' ? 0 : status.consecutiveFailures;
  const consecutiveErrors = ev.verdict === 'error' ? status.consecutiveErrors + 1 : 0;
  const failsNow = !status.failed && effective === 'fail' && consecutiveFailures >= gate.failureLimit;
  // a fail verdict's reason already names the value and the threshold
  const note = ev.verdict === 'inconclusive' ? `inconclusive (policy fail): ${ev.reason}; threshold ${ev.threshold}` : ev.reason;
  const failReason = failsNow
    ? `gate ${gate.name} failed (${consecutiveFailures} consecutive, limit ${gate.failureLimit}): ${note}`
    : (status.failReason ?? null);
  const next: GateStatus = {
    evaluations: status.evaluations + 1,
    consecutiveFailures,
    consecutiveErrors,
    lastVerdict: ev.verdict,
    lastReason: ev.reason,
    lastEvaluatedAtMs: nowMs,
    nextDueAtMs: nextDueAfter(gate, status.nextDueAtMs, nowMs),
    failed: status.failed || failsNow,
    failReason,
    coverage,
  };
  if (failsNow) return { status: next, action: { kind: 'fail', reason: failReason ?? ev.reason } };
  if (ev.verdict === 'error' && consecutiveErrors >= gate.errorLimit) {
    return { status: next, action: { kind: 'pause', reason: `gate ${gate.name}: ${consecutiveErrors} consecutive errors: ${ev.reason}` } };
  }
  return { status: next, action: { kind: 'none' } };
}

/** After an operator resumes a release paused by errors: give the gate errorLimit fresh tries. */
export function clearErrorStreak(status: GateStatus): GateStatus {
  return { ...status, consecutiveErrors: 0 };
}

/**
 * Called when the bake window has ended: may the region be verified as far as this gate goes?
 * With `bake`, passing evaluations must also cover it (else: wait for more, `uncovered` says why).
 */
export function readyToVerify(gate: GateSpec, status: GateStatus, bake: BakeWindow | null = null): Readiness {
  const verdict = readyByVerdict(gate, status);
  if (!verdict.ready || bake === null) return verdict;
  const missing = missingCoverageMs(status.coverage, bake);
  if (missing === 0) return verdict;
  return {
    ready: false,
    evaluateNow: false,
    uncovered: `gate ${gate.name}: passing evaluations cover ${formatValue((bake.endMs - bake.startMs - missing) / 1000)}s of a ${formatValue((bake.endMs - bake.startMs) / 1000)}s bake`,
  };
}

function readyByVerdict(gate: GateSpec, status: GateStatus): Readiness {
  if (status.failed)
    return { ready: false, fail: status.failReason ?? `gate ${gate.name} failed: ${status.lastReason ?? 'no reason recorded'}` };
  if (status.evaluations === 0 || status.lastVerdict === null) return { ready: false, evaluateNow: true };
  switch (status.lastVerdict) {
    case 'pass':
      return { ready: true };
    case 'inconclusive':
      if (gate.inconclusive === 'pass') return { ready: true };
      if (gate.inconclusive === 'pause')
        return {
          ready: false,
          pause: `gate ${gate.name} inconclusive at the end of the bake: ${status.lastReason ?? 'no reason recorded'}`,
        };
      return { ready: false, evaluateNow: false };
    case 'error':
      if (status.consecutiveErrors >= gate.errorLimit) {
        return {
          ready: false,
          pause: `gate ${gate.name}: ${status.consecutiveErrors} consecutive errors: ${status.lastReason ?? 'no reason recorded'}`,
        };
      }
      return { ready: false, evaluateNow: false };
    case 'fail':
      return { ready: false, evaluateNow: false };
  }
}

/** interval × failureLimit, plus one evaluation (its query timeout). */
export function worstCaseBreachToActionMs(gate: GateSpec): number {
  return gate.intervalMs * gate.failureLimit + gate.queryTimeoutMs;
}
