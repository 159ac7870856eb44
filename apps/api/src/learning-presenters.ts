/** JSON views of time-to-smoke, plan proposals and drills. */
import type { DrillTrend, SmokeGroup, TimeToSmoke } from '#application';
import type { DrillEventRecord, DrillRecord } from '#persistence';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function groupView(g: SmokeGroup) {
  return {
    failures: g.stats?.failures ?? 0,
    meanMs: g.stats?.meanMs ?? null,
    p50Ms: g.stats?.p50Ms ?? null,
    p90Ms: g.stats?.p90Ms ?? null,
    p95Ms: g.stats?.p95Ms ?? null,
    maxMs: g.stats?.maxMs ?? null,
    recommendations: g.recommendations,
    evidence: g.evidence.map((s) => ({
      releaseId: s.releaseId,
      version: s.version,
      region: s.region,
      gate: s.gate,
      phase: s.phase,
      rolloutCompletedAt: s.rolloutCompletedAt.toISOString(),
      firstFailureAt: s.firstFailureAt.toISOString(),
      delayMs: s.delayMs,
    })),
  };
}

export function timeToSmokeView(t: TimeToSmoke) {
  return {
    service: t.service,
    since: t.since.toISOString(),
    minFailures: t.minFailures,
    defaultBakeMs: t.defaultBakeMs,
    overall: groupView(t.overall),
    regions: t.regions.map((r) => ({ region: r.region, ...groupView(r) })),
  };
}

export function drillView(d: DrillRecord) {
  return {
    id: d.id,
    kind: d.kind,
    region: d.region,
    service: d.service,
    state: d.state,
    phase: d.phase,
    actor: d.actor,
    reason: d.reason,
    goalMs: d.goalMs,
    maxDurationMs: d.maxDurationMs,
    requestedAt: iso(d.requestedAt),
    completedAt: iso(d.completedAt),
    deadlineAt: iso(d.deadlineAt),
    /** drain: time to 99% drained; rollback: time to roll back */
    firstMs: d.firstMs,
    /** drain: time to restore; rollback: time to roll forward */
    secondMs: d.secondMs,
    metGoal: d.metGoal,
    undone: d.undone,
    targetVersion: d.targetVersion,
    drainOperationId: d.drainOperationId,
    restoreOperationId: d.restoreOperationId,
    note: d.note,
  };
}

export function drillEventView(e: DrillEventRecord) {
  return { id: e.id, type: e.type, actor: e.actor, reason: e.reason, data: e.data, at: e.createdAt.toISOString() };
}

export function trendView(t: DrillTrend) {
  return { ...t, series: t.series.map((s) => ({ ...s, at: s.at.toISOString() })) };
}
