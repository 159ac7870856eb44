/**
 * Manual approval of a stage: a stage with `approval: required` waits in awaiting_approval
 * until an operator approves it. The approval is durable (the release's approved_stage_index),
 * so a restart, a pause or a resume never asks twice nor skips one.
 */
import type { ReleaseRecord, TargetRecord } from '#persistence';

/** The release's current stage needs an approval it has not had, and none of its regions was touched yet. */
export function awaitsApproval(release: ReleaseRecord, targets: readonly TargetRecord[]): boolean {
  const stage = release.plan.stages[release.stageIndex];
  if (!stage || stage.approval !== 'required') return false;
  if ((release.approvedStageIndex ?? -1) >= stage.index) return false;
  // Releases approved before approvals were recorded: a started stage was approved.
  return targets.filter((t) => t.stageIndex === stage.index).every((t) => t.state === 'pending');
}
