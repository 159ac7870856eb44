/**
 * Writes for a release that must stop or wait: a failed region triggers its stage's failure
 * policy (in any stage: regions verified earlier are still watched), a gate that cannot be
 * evaluated pauses the release, a stage that needs approval waits for it. Pure: builds a
 * StepChange from what was read.
 */
import { ENGINE_ACTOR, moveRelease, moveTarget, respondToFailure, strongestPolicy, type TargetView } from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';
import { emptyChange, pushTargetMove, type StepChange } from './step-change.js';

export function toView(t: TargetRecord): TargetView {
  return {
    id: t.id,
    region: t.region,
    stageIndex: t.stageIndex,
    state: t.state,
    bakeEndsAtMs: t.bakeEndsAt?.getTime() ?? null,
    deployStartedAtMs: t.deployStartedAt?.getTime() ?? null,
  };
}

/** The failure policy's writes, or null when there is no failed region or nothing to change. */
export function failureChange(release: ReleaseRecord, targets: readonly TargetRecord[], nowMs: number): StepChange | null {
  const failed = targets.filter((t) => t.state === 'failed');
  if (failed.length === 0) return null;
  const policy = strongestPolicy(failed.map((t) => release.plan.stages[t.stageIndex]!.onFailure));
  const response = respondToFailure(policy, targets.map(toView));
  if (response.release === 'paused' && release.state === 'paused') return null;
  const reason = failed.map((t) => `region ${t.region} failed: ${t.reason ?? 'unknown reason'}`).join('; ');
  const data = { policy, stages: [...new Set(failed.map((t) => release.plan.stages[t.stageIndex]!.name))] };
  const change = emptyChange();
  if (response.release === 'paused') {
    const move = moveRelease(release, 'paused', { type: 'release.paused', actor: ENGINE_ACTOR, reason, data });
    change.release = { ...move.patch, stateReason: reason, pausedAt: new Date(nowMs) };
    change.events.push(move.event);
  } else {
    const move = moveRelease(release, 'rolling_back', { type: 'release.rolling_back', actor: ENGINE_ACTOR, reason, data });
    change.release = { ...move.patch, stateReason: reason };
    change.events.push(move.event);
  }
  for (const id of response.drain) {
    const t = targets.find((x) => x.id === id)!;
    const move = moveTarget(t, 'draining', { type: 'region.draining', actor: ENGINE_ACTOR });
    pushTargetMove(change, id, move, { rollbackStartedAt: new Date(nowMs) });
  }
  rollBackTargets(change, targets, response.rollBack, ENGINE_ACTOR, nowMs);
  return change;
}

/** Pause a release that is running or awaiting approval (bake clocks stop until it resumes). */
export function pauseChange(release: ReleaseRecord, reason: string, nowMs: number, actor = ENGINE_ACTOR): StepChange | null {
  if (release.state !== 'running' && release.state !== 'awaiting_approval') return null;
  const move = moveRelease(release, 'paused', { type: 'release.paused', actor, reason });
  const change = emptyChange();
  change.release = { ...move.patch, stateReason: reason, pausedAt: new Date(nowMs) };
  change.events.push(move.event);
  return change;
}

/** Start rolling back the given targets (a failure policy's, or an operator's rollback). */
export function rollBackTargets(
  change: StepChange,
  targets: readonly TargetRecord[],
  ids: readonly string[],
  actor: string,
  nowMs: number,
): void {
  for (const id of ids) {
    const t = targets.find((x) => x.id === id)!;
    const move = moveTarget(t, 'rolling_back', { type: 'region.rolling_back', actor });
    pushTargetMove(change, id, move, { rollbackStartedAt: new Date(nowMs) });
  }
}

/** The current stage needs an operator's approval before any of its regions is touched. */
export function awaitApprovalChange(release: ReleaseRecord): StepChange {
  const stage = release.plan.stages[release.stageIndex]!;
  const move = moveRelease(release, 'awaiting_approval', {
    type: 'release.awaiting_approval',
    actor: ENGINE_ACTOR,
    data: { stage: stage.name },
  });
  return { release: { ...move.patch, stateReason: `stage ${stage.name} requires approval` }, targets: [], events: [move.event] };
}

/** While a release is held, a rollout is only watched for failure: completion is seen after resume. */
export function onlyFailures(change: StepChange): StepChange {
  const failed = new Set(change.targets.filter((t) => t.patch.state === 'failed').map((t) => t.id));
  return {
    targets: change.targets.filter((t) => failed.has(t.id)),
    events: change.events.filter((e) => e.type === 'region.failed'),
    evaluations: [],
  };
}
