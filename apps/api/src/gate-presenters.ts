/** JSON views of gates and their evaluations. */
import type { RegionGate } from '#application';
import { formatPromDuration, missingCoverageMs, type GateSpec } from '#domain';
import type { GateEvaluationRecord } from '#persistence';

const isoMs = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

export function conditionText(spec: GateSpec): string {
  const c = spec.condition;
  if (c.kind === 'threshold') return `${c.op} ${c.value}`;
  const parts = [
    c.maxRatio !== undefined ? `≤ ${c.maxRatio} × baseline` : null,
    c.maxDifference !== undefined ? `≤ baseline + ${c.maxDifference}` : null,
  ];
  return parts.filter(Boolean).join(' and ');
}

export function regionGateView(g: RegionGate) {
  return {
    region: g.region,
    stage: g.stage,
    gate: g.spec.name,
    query: g.spec.query,
    condition: conditionText(g.spec),
    interval: formatPromDuration(g.spec.intervalMs),
    window: formatPromDuration(g.spec.windowMs),
    failureLimit: g.spec.failureLimit,
    errorLimit: g.spec.errorLimit,
    inconclusive: g.spec.inconclusive,
    series: g.spec.series,
    minEvidence: g.spec.minEvidence ?? null,
    worstCaseBreachToActionMs: g.worstCaseBreachToActionMs,
    worstCaseBreachToAction: formatPromDuration(g.worstCaseBreachToActionMs),
    status: g.status && {
      evaluations: g.status.evaluations,
      lastVerdict: g.status.lastVerdict,
      lastReason: g.status.lastReason,
      consecutiveFailures: g.status.consecutiveFailures,
      consecutiveErrors: g.status.consecutiveErrors,
      failed: g.status.failed,
      lastEvaluatedAt: isoMs(g.status.lastEvaluatedAtMs),
      nextDueAt: g.status.failed ? null : isoMs(g.status.nextDueAtMs),
    },
    coverage: coverageView(g),
  };
}

/** What passing evaluations observed of the region's bake (README "Gates"); null before the bake. */
function coverageView(g: RegionGate) {
  if (!g.bake) return null;
  const c = g.status?.coverage?.fromMs === g.bake.startMs ? g.status.coverage : null;
  return {
    bakeFrom: isoMs(g.bake.startMs),
    bakeTo: isoMs(g.bake.endMs),
    from: c ? isoMs(c.fromMs) : null,
    to: c ? isoMs(c.toMs) : null,
    coveredMs: c?.coveredMs ?? 0,
    requiredMs: Math.max(0, g.bake.endMs - g.bake.startMs),
    missingMs: missingCoverageMs(c, g.bake),
    gaps: (c?.gaps ?? []).map((x) => ({ from: isoMs(x.fromMs), to: isoMs(x.toMs), ms: x.toMs - x.fromMs })),
    gapCount: c?.gapCount ?? 0,
  };
}

export function evaluationView(e: GateEvaluationRecord) {
  return {
    id: e.id,
    region: e.region,
    stageIndex: e.stageIndex,
    gate: e.gate,
    phase: e.phase,
    verdict: e.verdict,
    reason: e.reason,
    query: e.query,
    evidenceQuery: e.evidenceQuery,
    baselineQuery: e.baselineQuery,
    values: e.values,
    observed: e.observed,
    baseline: e.baseline,
    evidence: e.evidence,
    threshold: e.threshold,
    failingSeries: e.failingSeries,
    warnings: e.warnings ?? [],
    infos: e.infos ?? [],
    durationMs: e.durationMs,
    dueAt: e.dueAt ? e.dueAt.toISOString() : null,
    evaluatedAt: e.evaluatedAt.toISOString(),
  };
}
