/**
 * Operator resume (PRODUCT.md "Release lifecycle"): gives back the remaining bake time, gives
 * errored gates fresh tries, re-evaluates gates that could not conclude, and returns to
 * awaiting_approval when the current stage still needs its approval. A failed region is
 * retried or rolled back instead.
 */
import { resumeChange } from '../engine/resume-change.js';
import { ReleaseAction, refuse, requireState, type ActionInput, type ActionResult } from '../release-action.js';

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
      const { change, toState, pausedMs } = resumeChange(release, targets, nowMs, { actor: input.actor, reason: input.reason ?? null });
      return { change, message: `resumed (${toState}); bake windows extended by ${Math.round(pausedMs / 1000)}s of pause` };
    });
  }
}
