/** JSON views of releases, targets and events. */
import type { EventRecord, ReleaseRecord, ReleaseSummary, TargetRecord } from '#persistence';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The list's view of a release (the detail view starts with the same fields). */
export function releaseSummaryView(r: ReleaseSummary) {
  return {
    id: r.id,
    service: r.service,
    version: r.version,
    image: r.image,
    releaseNumber: r.releaseNumber,
    gitSha: r.gitSha,
    requestedBy: r.requestedBy,
    state: r.state,
    stateReason: r.stateReason,
    pausedAt: iso(r.pausedAt),
    currentStage: r.currentStage,
    approvedStage: r.approvedStage,
    createdAt: iso(r.createdAt),
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    updatedAt: iso(r.updatedAt),
  };
}

export function releaseView(r: ReleaseRecord) {
  return releaseSummaryView({
    ...r,
    currentStage: r.plan.stages[r.stageIndex]?.name ?? null,
    approvedStage: r.approvedStageIndex === null ? null : (r.plan.stages[r.approvedStageIndex]?.name ?? null),
  });
}

export function targetView(t: TargetRecord) {
  return {
    region: t.region,
    stageIndex: t.stageIndex,
    state: t.state,
    reason: t.reason,
    workloads: t.workloads,
    previousImages: t.previous?.map((p) => p.image) ?? null,
    deployStartedAt: iso(t.deployStartedAt),
    patchedAt: iso(t.patchedAt),
    rolloutCompletedAt: iso(t.rolloutCompletedAt),
    bakeEndsAt: iso(t.bakeEndsAt),
    verifiedAt: iso(t.verifiedAt),
    failedAt: iso(t.failedAt),
    rollbackStartedAt: iso(t.rollbackStartedAt),
    rolledBackAt: iso(t.rolledBackAt),
    blockedReason: t.blockedReason,
    drain: t.drain && {
      startedAt: new Date(t.drain.startedAtMs).toISOString(),
      drainedAt: t.drain.drainedAtMs === null ? null : new Date(t.drain.drainedAtMs).toISOString(),
      drainMs: t.drain.drainedAtMs === null ? null : t.drain.drainedAtMs - (t.drain.weightSetAtMs ?? t.drain.startedAtMs),
      preDrainRate: t.drain.preDrainRate,
      lastRate: t.drain.lastRate,
      previousWeight: t.drain.previousWeight,
      trafficRestoredAt: t.drain.restoredAtMs == null ? null : new Date(t.drain.restoredAtMs).toISOString(),
      note: t.drain.note,
    },
    gates: t.gateStatus
      ? Object.fromEntries(
          Object.entries(t.gateStatus).map(([name, g]) => [
            name,
            { lastVerdict: g.lastVerdict, evaluations: g.evaluations, failed: g.failed },
          ]),
        )
      : {},
  };
}

export function releaseDetailView(r: ReleaseRecord, targets: TargetRecord[]) {
  return {
    ...releaseView(r),
    plan: r.plan,
    stages: r.plan.stages.map((s) => ({
      index: s.index,
      name: s.name,
      kind: s.kind,
      bakeMs: s.bakeMs,
      ...(s.bakeReason ? { bakeReason: s.bakeReason } : {}),
      maxParallel: s.maxParallel,
      approval: s.approval,
      onFailure: s.onFailure,
      regions: targets.filter((t) => t.stageIndex === s.index).map(targetView),
    })),
  };
}

export function eventView(e: EventRecord) {
  return {
    id: e.id,
    type: e.type,
    region: e.region,
    fromState: e.fromState,
    toState: e.toState,
    actor: e.actor,
    reason: e.reason,
    data: e.data,
    at: e.createdAt.toISOString(),
  };
}
