/**
 * Retry: deploy a failed region of a paused release again (the `pause` failure policy leaves
 * it failed for a human). What ran before the release stays recorded, so a later rollback
 * still restores the original, not the failed attempt. The release resumes with it.
 * Only regions of the current stage are retried: an earlier stage's region has been verified
 * once and is only watched now; if it fails, roll the release back.
 */
import { moveTarget } from '#domain';
import type { TargetRecord } from '#persistence';
import { resumeChange } from '../engine/resume-change.js';
import { ReleaseAction, refuse, requireState, type ActionInput, type ActionResult } from '../release-action.js';

export interface RetryInput extends ActionInput {
  /** the failed region; when absent, every failed region of the current stage */
  region?: string | undefined;
}

export class RetryRegion extends ReleaseAction {
  execute(input: RetryInput): Promise<ActionResult> {
    return this.run(input, (release, targets, nowMs) => {
      requireState('retry', release, ['paused'], 'only a paused release with a failed region');
      const failed = targets.filter((t) => t.state === 'failed');
      const stage = release.plan.stages[release.stageIndex]!;
      let chosen: TargetRecord[];
      if (input.region !== undefined) {
        const t = targets.find((x) => x.region === input.region);
        if (!t) throw refuse('retry', release, `region ${input.region} is not part of this release`);
        if (t.state !== 'failed') throw refuse('retry', release, `region ${t.region} is ${t.state}, not failed`);
        chosen = [t];
      } else {
        chosen = failed.filter((t) => t.stageIndex === stage.index);
        if (chosen.length === 0)
          throw refuse('retry', release, failed.length > 0 ? `no region of stage ${stage.name} failed` : 'no region failed');
      }
      const earlier = chosen.filter((t) => t.stageIndex !== stage.index);
      if (earlier.length > 0) throw refuse('retry', release, `region ${earlier[0]!.region} belongs to an earlier stage: roll back instead`);
      const others = failed.filter((t) => !chosen.includes(t));
      if (others.length > 0)
        throw refuse(
          'retry',
          release,
          `region ${others.map((t) => t.region).join(', ')} failed too: retry every failed region or roll back`,
        );

      const reason = input.reason ?? null;
      const rest = targets.filter((t) => !chosen.includes(t));
      const retried = chosen.map((t) => t.region);
      const { change, toState } = resumeChange(release, rest, nowMs, { actor: input.actor, reason, retried });
      const retries = chosen.map((t) => {
        const move = moveTarget(t, 'deploying', { type: 'region.retry', actor: input.actor, reason, data: { failedBecause: t.reason } });
        change.targets.push({ id: t.id, patch: { ...move.patch, ...retryColumns(nowMs) } });
        return move.event;
      });
      change.events.unshift(...retries); // each region's retry, then the release's resume
      return { change, message: `retrying ${chosen.map((t) => t.region).join(', ')}: deploying again; the release is ${toState}` };
    });
  }
}

/** A retried region starts its deploy afresh (what ran before the release stays recorded). */
function retryColumns(nowMs: number): Partial<TargetRecord> {
  return {
    reason: null,
    deployStartedAt: new Date(nowMs),
    patchedAt: null,
    rolloutCompletedAt: null,
    bakeEndsAt: null,
    verifiedAt: null,
    failedAt: null,
    gateStatus: null,
    blockedReason: null,
  };
}
