/**
 * One step of a release in `rolling_back`: drain the regions the `drain` policy names, restore
 * every region being rolled back, wait for their rollouts, put drained regions' traffic back,
 * then end the release `rolled_back` (or `failed` when something could not be restored).
 */
import { ENGINE_ACTOR, moveRelease, moveTarget } from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';
import type { Drainer } from './drainer.js';
import type { RegionDriver } from './region-driver.js';
import { rollBackTargets } from './failure-response.js';
import { emptyChange, mergeChanges, type StepChange } from './step-change.js';

/** The next phase's writes, or a wait (ms) when every region in flight must be looked at later. */
export type RollbackPhase = { change: StepChange } | { waitMs: number | null };

export async function rollbackPhase(
  driver: RegionDriver,
  drainer: Drainer,
  release: ReleaseRecord,
  targets: TargetRecord[],
  nowMs: number,
  pollIntervalMs: number,
): Promise<RollbackPhase> {
  const draining = targets.filter((t) => t.state === 'draining');
  const drained = targets.filter((t) => t.state === 'drained');
  const rolling = targets.filter((t) => t.state === 'rolling_back');
  const toRestoreTraffic = targets.filter((t) => t.state === 'rolled_back' && t.drain && t.drain.restoredAtMs == null);
  const phases: Array<() => Promise<StepChange>> = [
    // Different regions, no order between them: a drain being prepared or started does not
    // hold back the restore of the regions rolled back without one (one commit for all three).
    async () =>
      (
        await Promise.all([
          drainer.prepare(
            release,
            draining.filter((t) => !t.drain),
            nowMs,
          ),
          drainer.start(
            release,
            draining.filter((t) => t.drain && t.drain.weightSetAtMs == null),
            nowMs,
          ),
          driver.restore(
            release,
            rolling.filter((t) => !t.rollbackPatchedAt),
            nowMs,
          ),
        ])
      ).reduce((all, one) => mergeChanges(all, one), emptyChange()),
    () =>
      drainer.observe(
        release,
        draining.filter((t) => t.drain && t.drain.weightSetAtMs != null),
        nowMs,
      ),
    async () => afterDrain(drained, nowMs),
    () =>
      driver.observeRollback(
        release,
        rolling.filter((t) => t.rollbackPatchedAt),
        nowMs,
      ),
    () => drainer.restore(release, toRestoreTraffic, nowMs),
  ];
  for (const phase of phases) {
    const change = await phase();
    if (change.targets.length > 0 || change.events.length > 0) return { change };
  }
  if (rolling.length > 0 || draining.length > 0 || toRestoreTraffic.length > 0) return { waitMs: pollIntervalMs };
  return { change: finalChange(release, targets, nowMs) };
}

function afterDrain(drained: TargetRecord[], nowMs: number): StepChange {
  const change = emptyChange();
  rollBackTargets(
    change,
    drained,
    drained.map((t) => t.id),
    ENGINE_ACTOR,
    nowMs,
  );
  return change;
}

/** Every region to restore is restored (or failed to be): the release ends. */
function finalChange(release: ReleaseRecord, targets: TargetRecord[], nowMs: number): StepChange {
  const leftChanged = targets.filter(
    (t) => t.state === 'failed' || t.state === 'verified' || t.state === 'baking' || t.state === 'deploying',
  );
  const reason =
    leftChanged.length > 0
      ? `${release.stateReason ?? 'rollback'}; not restored: ${leftChanged.map((t) => t.region).join(', ')}`
      : release.stateReason;
  const move =
    leftChanged.length > 0
      ? moveRelease(release, 'failed', { type: 'release.failed', actor: ENGINE_ACTOR, reason })
      : moveRelease(release, 'rolled_back', { type: 'release.rolled_back', actor: ENGINE_ACTOR, reason });
  return {
    release: { ...move.patch, stateReason: reason, endedAt: new Date(nowMs), nextTickAt: null },
    targets: targets.filter((t) => t.state === 'pending').map((t) => ({ id: t.id, patch: moveTarget(t, 'skipped', null).patch })),
    events: [move.event],
    evaluations: [],
  };
}
