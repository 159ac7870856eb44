/**
 * Promote: skip the rest of the current stage's bake.
 *
 * Promote ends the bake windows of the current stage's baking regions now; it skips time, not
 * evidence: the regions are verified only when their gates agree, exactly as at the natural end
 * of a bake (a gate with no evaluation yet is evaluated at once). A failing gate still fails its
 * region, and a gate that cannot conclude follows its own `inconclusive` policy (by default the
 * release pauses, and resume evaluates it again). Promote never overrides a verdict.
 */
import { awaitsApproval } from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';
import { emptyChange } from '../engine/step-change.js';
import { ReleaseAction, refuse, requireState, type ActionInput, type ActionResult } from '../release-action.js';

/** The current stage's regions whose bake is still running. */
function promotable(release: ReleaseRecord, targets: readonly TargetRecord[], nowMs: number): TargetRecord[] {
  return targets.filter(
    (t) => t.stageIndex === release.stageIndex && t.state === 'baking' && t.bakeEndsAt !== null && t.bakeEndsAt.getTime() > nowMs,
  );
}

export class PromoteRelease extends ReleaseAction {
  execute(input: ActionInput): Promise<ActionResult> {
    return this.run(input, (release, targets, nowMs) => {
      requireState(
        'promote',
        release,
        ['running'],
        release.state === 'paused' ? 'resume it first' : release.state === 'awaiting_approval' ? 'approve the stage' : '',
      );
      if (awaitsApproval(release, targets)) throw refuse('promote', release, 'the stage waits for approval');
      const stage = release.plan.stages[release.stageIndex]!;
      const baking = promotable(release, targets, nowMs);
      if (baking.length === 0) throw refuse('promote', release, `no region of stage ${stage.name} is baking`);
      const change = emptyChange();
      for (const t of baking) change.targets.push({ id: t.id, patch: { bakeEndsAt: new Date(nowMs) } });
      const skipped = Object.fromEntries(baking.map((t) => [t.region, t.bakeEndsAt!.getTime() - nowMs]));
      change.events.push({
        type: 'release.promoted',
        actor: input.actor,
        reason: input.reason ?? null,
        data: { stage: stage.name, regions: baking.map((t) => t.region), skippedBakeMs: skipped },
      });
      return {
        change,
        message: `promoted stage ${stage.name}: the bake of ${baking.map((t) => t.region).join(', ')} ends now; each region is verified when its gates agree`,
      };
    });
  }
}
