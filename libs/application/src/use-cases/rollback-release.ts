/**
 * Rollback: restore every region the release changed (newest first, like the `rollback`
 * failure policy) and end `rolled_back`. Under the release lock a second rollback sees
 * `rolling_back` and is refused, so two rollbacks at once roll back once; a promote or resume
 * that comes after a rollback is refused too, and a rollback after a promote still rolls back.
 */
import { moveRelease, respondToFailure } from '#domain';
import { rollBackTargets, toView } from '../engine/failure-response.js';
import { emptyChange } from '../engine/step-change.js';
import { ReleaseAction, refuse, requireState, type ActionInput, type ActionResult } from '../release-action.js';

export class RollbackRelease extends ReleaseAction {
  execute(input: ActionInput): Promise<ActionResult> {
    return this.run(input, (release, targets, nowMs) => {
      if (release.state === 'rolling_back') throw refuse('rollback', release, 'a rollback is already under way');
      requireState(
        'rollback',
        release,
        ['running', 'paused', 'awaiting_approval'],
        release.state === 'queued' ? 'nothing was touched: cancel it' : '',
      );
      const ids = respondToFailure('rollback', targets.map(toView)).rollBack;
      const reason = `rollback requested by ${input.actor}${input.reason ? `: ${input.reason}` : ''}`;
      const move = moveRelease(release, 'rolling_back', {
        type: 'release.rolling_back',
        actor: input.actor,
        reason: input.reason ?? null,
        data: { requested: true, regions: ids.map((id) => targets.find((t) => t.id === id)!.region) },
      });
      const change = emptyChange();
      change.release = { ...move.patch, stateReason: reason, pausedAt: null };
      change.events.push(move.event);
      rollBackTargets(change, targets, ids, input.actor, nowMs);
      const what =
        ids.length > 0 ? `restoring ${ids.length} region${ids.length > 1 ? 's' : ''} to what ran before` : 'no region was changed';
      return { change, message: `rolling back: ${what}; untouched regions are skipped` };
    });
  }
}
