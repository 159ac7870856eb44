/** Stage progression and failure response: which targets move next. Pure. */
import type { FailurePolicy, PlanSnapshot, StageSnapshot } from './plan.js';
import { isTouched, type ReleaseState, type TargetState } from './states.js';

export interface TargetView {
  id: string;
  region: string;
  stageIndex: number;
  state: TargetState;
  /** when the bake window ends (ms since epoch), for baking targets */
  bakeEndsAtMs?: number | null;
  /** when the release first touched the region (ms), to roll back newest first */
  deployStartedAtMs?: number | null;
}

export interface StageDecision {
  /** baking targets whose window has ended: verify them */
  verify: string[];
  /** pending targets to start now, within maxParallel */
  start: string[];
  /** failed targets in this stage */
  failed: string[];
  /** every target of the stage is verified once `verify` is applied */
  complete: boolean;
  /** earliest bake end still in the future, to schedule the next look */
  nextBakeEndMs: number | null;
}

export function decideStage(stage: StageSnapshot, targets: readonly TargetView[], nowMs: number): StageDecision {
  const mine = targets.filter((t) => t.stageIndex === stage.index);
  const verify = mine.filter((t) => t.state === 'baking' && t.bakeEndsAtMs != null && t.bakeEndsAtMs <= nowMs).map((t) => t.id);
  const failed = mine.filter((t) => t.state === 'failed').map((t) => t.id);
  const inFlight = mine.filter((t) => (t.state === 'deploying' || t.state === 'baking') && !verify.includes(t.id)).length;
  const slots = failed.length > 0 ? 0 : Math.max(0, stage.maxParallel - inFlight);
  const start = mine
    .filter((t) => t.state === 'pending')
    .slice(0, slots)
    .map((t) => t.id);
  const complete = mine.length > 0 && mine.every((t) => t.state === 'verified' || verify.includes(t.id));
  const future = mine
    .filter((t) => t.state === 'baking' && t.bakeEndsAtMs != null && t.bakeEndsAtMs > nowMs)
    .map((t) => t.bakeEndsAtMs as number);
  return { verify, start, failed, complete, nextBakeEndMs: future.length ? Math.min(...future) : null };
}

export interface FailureResponse {
  release: Extract<ReleaseState, 'rolling_back' | 'paused'>;
  /** targets to roll back now, newest first */
  rollBack: string[];
  /** failed targets whose traffic is drained first, then rolled back (policy `drain`) */
  drain: string[];
  /** whether the release ends `failed` (not `rolled_back`) once the rollback is done */
  partial: boolean;
}

const SEVERITY: readonly FailurePolicy[] = ['pause', 'rollback-region', 'drain', 'rollback'];

/** With failed regions in several stages, the most thorough of their stages' policies applies. */
export function strongestPolicy(policies: readonly FailurePolicy[]): FailurePolicy {
  return policies.reduce<FailurePolicy>((best, p) => (SEVERITY.indexOf(p) > SEVERITY.indexOf(best) ? p : best), policies[0] ?? 'rollback');
}

/**
 * What a wave's failure policy does (PRODUCT.md): `rollback` restores every touched region,
 * newest first; `rollback-region` only the failed ones (the release then ends `failed`);
 * `drain` moves the failed regions' traffic away, then rolls them back, while every other
 * touched region is rolled back at once; `pause` holds for a human.
 */
export function respondToFailure(policy: FailurePolicy, targets: readonly TargetView[]): FailureResponse {
  const newestFirst = (list: readonly TargetView[]) =>
    [...list].sort((a, b) => (b.deployStartedAtMs ?? 0) - (a.deployStartedAtMs ?? 0)).map((t) => t.id);
  switch (policy) {
    case 'pause':
      return { release: 'paused', rollBack: [], drain: [], partial: false };
    case 'rollback-region':
      return { release: 'rolling_back', rollBack: newestFirst(targets.filter((t) => t.state === 'failed')), drain: [], partial: true };
    case 'rollback':
      return { release: 'rolling_back', rollBack: newestFirst(targets.filter((t) => isTouched(t.state))), drain: [], partial: false };
    case 'drain':
      return {
        release: 'rolling_back',
        rollBack: newestFirst(targets.filter((t) => isTouched(t.state) && t.state !== 'failed')),
        drain: newestFirst(targets.filter((t) => t.state === 'failed')),
        partial: false,
      };
  }
}

/**
 * Manual approval of a stage: the release's current stage needs an approval it has not had
 * (`approval: required`, approved_stage_index below it), and none of its regions was touched yet.
 * The approval is durable, so a restart, a pause or a resume never asks twice nor skips one.
 */
export function awaitsApproval(
  release: { plan: Pick<PlanSnapshot, 'stages'>; stageIndex: number; approvedStageIndex: number | null },
  targets: ReadonlyArray<{ stageIndex: number; state: TargetState }>,
): boolean {
  const stage = release.plan.stages[release.stageIndex];
  if (!stage || stage.approval !== 'required') return false;
  if ((release.approvedStageIndex ?? -1) >= stage.index) return false;
  // Releases approved before approvals were recorded: a started stage was approved.
  return targets.filter((t) => t.stageIndex === stage.index).every((t) => t.state === 'pending');
}
