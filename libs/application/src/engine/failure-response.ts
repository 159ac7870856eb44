/**
 * Writes for a release that must stop: a failed region triggers its stage's failure policy
 * (in any stage: regions verified earlier are still watched), and a gate that cannot be
 * evaluated pauses the release. Pure: builds a StepChange from what was read.
 */
import { respondToFailure, strongestPolicy, type TargetView } from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';
import { emptyChange, ENGINE_ACTOR, type StepChange } from './step-change.js';

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
  const change = emptyChange();
  change.release = {
    state: response.release,
    stateReason: reason,
    ...(response.release === 'paused' ? { pausedAt: new Date(nowMs) } : {}),
  };
  change.events.push({
    type: response.release === 'paused' ? 'release.paused' : 'release.rolling_back',
    actor: ENGINE_ACTOR,
    fromState: release.state,
    toState: response.release,
    reason,
    data: { policy, stages: [...new Set(failed.map((t) => release.plan.stages[t.stageIndex]!.name))] },
  });
  for (const id of response.drain) {
    const t = targets.find((x) => x.id === id)!;
    change.targets.push({ id, patch: { state: 'draining', rollbackStartedAt: new Date(nowMs) } });
    change.events.push({ type: 'region.draining', actor: ENGINE_ACTOR, region: t.region, fromState: t.state, toState: 'draining' });
  }
  for (const id of response.rollBack) {
    const t = targets.find((x) => x.id === id)!;
    change.targets.push({ id, patch: { state: 'rolling_back', rollbackStartedAt: new Date(nowMs) } });
    change.events.push({ type: 'region.rolling_back', actor: ENGINE_ACTOR, region: t.region, fromState: t.state, toState: 'rolling_back' });
  }
  return change;
}

/** Pause a release that is running or awaiting approval (bake clocks stop until it resumes). */
export function pauseChange(release: ReleaseRecord, reason: string, nowMs: number, actor = ENGINE_ACTOR): StepChange | null {
  if (release.state !== 'running' && release.state !== 'awaiting_approval') return null;
  const change = emptyChange();
  change.release = { state: 'paused', stateReason: reason, pausedAt: new Date(nowMs) };
  change.events.push({ type: 'release.paused', actor, fromState: release.state, toState: 'paused', reason });
  return change;
}
