/**
 * Cancel: stop a release that has not changed any region (queued, waiting for an approval or a
 * deployment window): its regions end `skipped` and the release `cancelled`. Once a region was
 * touched, cancel is refused with 409 and points to rollback: ending a release without restoring
 * what it changed would leave production half-released.
 */
import { moveRelease, moveTarget } from '#domain';
import { emptyChange, pushTargetMove } from '../engine/step-change.js';
import { ReleaseAction, refuse, requireState, touchedRegions, type ActionInput, type ActionResult } from '../release-action.js';

export class CancelRelease extends ReleaseAction {
  execute(input: ActionInput): Promise<ActionResult> {
    return this.run(input, (release, targets, nowMs) => {
      requireState(
        'cancel',
        release,
        ['queued', 'running', 'paused', 'awaiting_approval'],
        release.state === 'rolling_back' ? 'the rollback finishes on its own' : '',
      );
      const touched = touchedRegions(targets);
      if (touched.length > 0) {
        throw refuse(
          'cancel',
          release,
          `it has changed ${touched.join(', ')}: use rollback to restore them (cancel only stops a release that has not touched any region)`,
        );
      }
      const move = moveRelease(release, 'cancelled', { type: 'release.cancelled', actor: input.actor, reason: input.reason ?? null });
      const change = emptyChange();
      change.release = {
        ...move.patch,
        stateReason: `cancelled by ${input.actor}${input.reason ? `: ${input.reason}` : ''}`,
        endedAt: new Date(nowMs),
        pausedAt: null,
        nextTickAt: null,
      };
      for (const t of targets.filter((x) => x.state === 'pending')) pushTargetMove(change, t.id, moveTarget(t, 'skipped', null));
      change.events.push(move.event);
      return { change, message: 'cancelled: no region had been changed; the next queued release of the service may start' };
    });
  }
}
