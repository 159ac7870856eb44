/**
 * Operator pause and resume (PRODUCT.md "Release lifecycle"). A pause stops new regions and
 * bake clocks, but the gates of watched regions keep running and a failure still triggers the
 * failure policy; resume gives back the remaining bake time, gives errored gates fresh tries,
 * re-evaluates gates that could not conclude, and returns to awaiting_approval when the
 * current stage still needs its approval.
 */
import { clearErrorStreak, type GateStatus } from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';
import { awaitsApproval } from './approval.js';
import { pauseChange } from './failure-response.js';
import { ReleaseAction, refuse, requireState, type ActionInput, type ActionResult } from './release-action.js';
import { emptyChange, type StepChange } from './step-change.js';

export class PauseRelease extends ReleaseAction {
  execute(input: ActionInput): Promise<ActionResult> {
    return this.run(input, (release, _targets, nowMs) => {
      requireState('pause', release, ['running', 'awaiting_approval']);
      const reason = input.reason ?? `paused by ${input.actor}`;
      const change = pauseChange(release, reason, nowMs, input.actor)!;
      return { change, message: 'paused: no new region will be touched and bake clocks are stopped; gates keep running' };
    });
  }
}

export class ResumeRelease extends ReleaseAction {
  execute(input: ActionInput): Promise<ActionResult> {
    return this.run(input, (release, targets, nowMs) => {
      requireState('resume', release, ['paused']);
      const failed = targets.filter((t) => t.state === 'failed');
      if (failed.length > 0) {
        throw refuse(
          'resume',
          release,
          `region${failed.length > 1 ? 's' : ''} ${failed.map((t) => t.region).join(', ')} failed: retry or roll back`,
        );
      }
      const { change, toState, pausedMs } = resumeChange(release, targets, nowMs);
      change.events.push({
        type: 'release.resumed',
        actor: input.actor,
        fromState: 'paused',
        toState,
        reason: input.reason ?? null,
        data: { pausedMs },
      });
      return { change, message: `resumed (${toState}); bake windows extended by ${Math.round(pausedMs / 1000)}s of pause` };
    });
  }
}

/**
 * Leave `paused`: back to running (or awaiting_approval when the stage still needs its
 * approval), every bake window extended by the time spent paused, gates refreshed.
 */
export function resumeChange(
  release: ReleaseRecord,
  targets: readonly TargetRecord[],
  nowMs: number,
): { change: StepChange; toState: 'running' | 'awaiting_approval'; pausedMs: number } {
  const pausedMs = release.pausedAt ? Math.max(0, nowMs - release.pausedAt.getTime()) : 0;
  const stage = release.plan.stages[release.stageIndex]!;
  const toState = awaitsApproval(release, targets) ? 'awaiting_approval' : 'running';
  const change = emptyChange();
  change.release = {
    state: toState,
    stateReason: toState === 'awaiting_approval' ? `stage ${stage.name} requires approval` : null,
    pausedAt: null,
  };
  for (const t of targets) {
    const patch: Partial<TargetRecord> = {};
    if (t.state === 'baking' && t.bakeEndsAt) patch.bakeEndsAt = new Date(t.bakeEndsAt.getTime() + pausedMs);
    if (t.gateStatus) patch.gateStatus = refreshed(t.gateStatus, nowMs);
    if (Object.keys(patch).length > 0) change.targets.push({ id: t.id, patch });
  }
  return { change, toState, pausedMs };
}

/** Fresh error streaks; a gate that ended inconclusive or erroring is evaluated again at once. */
function refreshed(statuses: Record<string, GateStatus>, nowMs: number): Record<string, GateStatus> {
  const out: Record<string, GateStatus> = {};
  for (const [name, status] of Object.entries(statuses)) {
    const cleared = clearErrorStreak(status);
    const again = status.lastVerdict === 'inconclusive' || status.lastVerdict === 'error';
    out[name] = again && !status.failed ? { ...cleared, nextDueAtMs: Math.min(cleared.nextDueAtMs, nowMs) } : cleared;
  }
  return out;
}
