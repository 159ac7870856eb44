/**
 * Approve: an operator lets a stage that waits for a human (`approval: required`) start; the
 * approval is durable, so a restart, a pause or a resume never asks twice nor skips one.
 */
import { moveRelease } from '#domain';
import { emptyChange } from '../engine/step-change.js';
import { ReleaseAction, requireState, type ActionInput, type ActionResult } from '../release-action.js';

export class ApproveRelease extends ReleaseAction {
  execute(input: ActionInput): Promise<ActionResult> {
    return this.run(input, (release, targets) => {
      requireState('approve', release, ['awaiting_approval'], 'a paused release is resumed first');
      const stage = release.plan.stages[release.stageIndex]!;
      const regions = targets.filter((t) => t.stageIndex === stage.index).map((t) => t.region);
      const move = moveRelease(release, 'running', {
        type: 'release.approved',
        actor: input.actor,
        reason: input.reason ?? null,
        data: { stage: stage.name, stageIndex: stage.index, regions },
      });
      const change = emptyChange();
      change.release = { ...move.patch, stateReason: null, approvedStageIndex: stage.index };
      change.events.push(move.event);
      return { change, message: `approved stage ${stage.name}: its regions start now` };
    });
  }
}
