/**
 * Rollback and cancel: the two actions that stop a release.
 *
 * Rollback restores every region the release changed (newest first, like the `rollback`
 * failure policy) and ends `rolled_back`. Under the release lock a second rollback sees
 * `rolling_back` and is refused, so two rollbacks at once roll back once; a promote or resume
 * that comes after a rollback is refused too, and a rollback after a promote still rolls back.
 *
 * Cancel stops a release that has not changed any region (queued, waiting for an approval or a
 * deployment window): its regions end `skipped` and the release `cancelled`. Once a region was
 * touched, cancel is refused with 409 and points to rollback: ending a release without restoring
 * what it changed would leave production half-released.
 */
import { respondToFailure } from '#domain';
import { toView } from './failure-response.js';
import { ReleaseAction, refuse, requireState, touchedRegions, type ActionInput, type ActionResult } from './release-action.js';
import { emptyChange } from './step-change.js';

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
      const change = emptyChange();
      change.release = { state: 'rolling_back', stateReason: reason, pausedAt: null };
      change.events.push({
        type: 'release.rolling_back',
        actor: input.actor,
        fromState: release.state,
        toState: 'rolling_back',
        reason: input.reason ?? null,
        data: { requested: true, regions: ids.map((id) => targets.find((t) => t.id === id)!.region) },
      });
      for (const id of ids) {
        const t = targets.find((x) => x.id === id)!;
        change.targets.push({ id, patch: { state: 'rolling_back', rollbackStartedAt: new Date(nowMs) } });
        change.events.push({
          type: 'region.rolling_back',
          actor: input.actor,
          region: t.region,
          fromState: t.state,
          toState: 'rolling_back',
        });
      }
      const what =
        ids.length > 0 ? `restoring ${ids.length} region${ids.length > 1 ? 's' : ''} to what ran before` : 'no region was changed';
      return { change, message: `rolling back: ${what}; untouched regions are skipped` };
    });
  }
}

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
      const change = emptyChange();
      change.release = {
        state: 'cancelled',
        stateReason: `cancelled by ${input.actor}${input.reason ? `: ${input.reason}` : ''}`,
        endedAt: new Date(nowMs),
        pausedAt: null,
        nextTickAt: null,
      };
      for (const t of targets.filter((x) => x.state === 'pending')) change.targets.push({ id: t.id, patch: { state: 'skipped' } });
      change.events.push({
        type: 'release.cancelled',
        actor: input.actor,
        fromState: release.state,
        toState: 'cancelled',
        reason: input.reason ?? null,
      });
      return { change, message: 'cancelled: no region had been changed; the next queued release of the service may start' };
    });
  }
}
