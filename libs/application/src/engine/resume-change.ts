/** Leaving `paused` (resume and retry): bake windows extended by the pause, gates refreshed. */
import { awaitsApproval, clearErrorStreak, moveRelease, type GateStatus } from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';
import { emptyChange, type StepChange } from './step-change.js';

/**
 * Leave `paused`: back to running (or awaiting_approval when the stage still needs its
 * approval), every bake window extended by the time spent paused, gates refreshed; the
 * `release.resumed` event names who resumed it (and the regions retried, for a retry).
 */
export function resumeChange(
  release: ReleaseRecord,
  targets: readonly TargetRecord[],
  nowMs: number,
  by: { actor: string; reason: string | null; retried?: string[] },
): { change: StepChange; toState: 'running' | 'awaiting_approval'; pausedMs: number } {
  const pausedMs = release.pausedAt ? Math.max(0, nowMs - release.pausedAt.getTime()) : 0;
  const stage = release.plan.stages[release.stageIndex]!;
  const toState = awaitsApproval(release, targets) ? 'awaiting_approval' : 'running';
  const data = { pausedMs, ...(by.retried ? { retried: by.retried } : {}) };
  const move = moveRelease(release, toState, { type: 'release.resumed', actor: by.actor, reason: by.reason, data });
  const change = emptyChange();
  change.release = {
    ...move.patch,
    stateReason: toState === 'awaiting_approval' ? `stage ${stage.name} requires approval` : null,
    pausedAt: null,
  };
  change.events.push(move.event);
  for (const t of targets) {
    const patch: Partial<TargetRecord> = {};
    if (t.state === 'baking' && t.bakeEndsAt) patch.bakeEndsAt = new Date(t.bakeEndsAt.getTime() + pausedMs);
    if (t.gateStatus) patch.gateStatus = refreshed(t.gateStatus, nowMs);
    if (Object.keys(patch).length > 0) change.targets.push({ id: t.id, patch });
  }
  return { change, toState, pausedMs };
}

/** Fresh error streaks; a gate that ended inconclusive or erroring is evaluated again at once. */
function refreshed(statuses: Record<string, GateStatus>, nowMs: number): Record<string, GateStatus> {
  const out: Record<string, GateStatus> = {};
  for (const [name, status] of Object.entries(statuses)) {
    const cleared = clearErrorStreak(status);
    const again = status.lastVerdict === 'inconclusive' || status.lastVerdict === 'error';
    out[name] = again && !status.failed ? { ...cleared, nextDueAtMs: Math.min(cleared.nextDueAtMs, nowMs) } : cleared;
  }
  return out;
}
