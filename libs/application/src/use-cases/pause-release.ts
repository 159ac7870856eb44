/**
 * Operator pause (PRODUCT.md "Release lifecycle"): no new region is touched and bake clocks
 * stop, but the gates of watched regions keep running and a failure still triggers the
 * failure policy.
 */
import { pauseChange } from '../engine/failure-response.js';
import { ReleaseAction, requireState, type ActionInput, type ActionResult } from '../release-action.js';

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
