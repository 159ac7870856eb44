/**
 * Verifying regions whose bake window has ended: a region is verified only when every gate
 * of its stage agrees (last verdict pass, or inconclusive under policy `pass`) and its passing
 * evaluations cover the whole bake (libs/domain/src/gates/coverage.ts; a gap waits for more). A gate still
 * failing below its limit or erroring below its limit makes the region wait for the next
 * evaluation; an inconclusive gate under policy `pause` pauses the release.
 */
import { ENGINE_ACTOR, moveTarget, readyToVerify } from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';
import { gateStatusOf, stageGates } from './gate-timing.js';
import { emptyChange, pushTargetMove, type StepChange } from './step-change.js';

export interface VerificationResult {
  change: StepChange;
  /** reason to pause the release, when a gate cannot be concluded */
  pause: string | null;
  /** regions whose bake ended but whose gates have not agreed yet */
  waiting: string[];
  /** why a waiting region's gates do not cover its bake yet */
  uncovered: string[];
}

export function verifyChange(
  release: ReleaseRecord,
  targets: readonly TargetRecord[],
  ids: readonly string[],
  nowMs: number,
): VerificationResult {
  const change = emptyChange();
  const pauses: string[] = [];
  const waiting: string[] = [];
  const uncovered: string[] = [];
  for (const id of ids) {
    const t = targets.find((x) => x.id === id)!;
    let ready = true;
    const bake = t.rolloutCompletedAt && t.bakeEndsAt ? { startMs: t.rolloutCompletedAt.getTime(), endMs: t.bakeEndsAt.getTime() } : null;
    for (const gate of stageGates(release.plan.stages[t.stageIndex])) {
      const readiness = readyToVerify(gate, gateStatusOf(release, t, gate), bake);
      if (readiness.ready) continue;
      ready = false;
      if ('pause' in readiness) pauses.push(`region ${t.region}: ${readiness.pause}`);
      if ('uncovered' in readiness && readiness.uncovered) uncovered.push(`region ${t.region}: ${readiness.uncovered}`);
    }
    if (!ready) {
      waiting.push(t.region);
      continue;
    }
    const coverage = Object.fromEntries(
      stageGates(release.plan.stages[t.stageIndex]).map((g) => {
        const c = gateStatusOf(release, t, g).coverage;
        return [g.name, c ? { coveredMs: c.coveredMs, gapCount: c.gapCount } : null];
      }),
    );
    const move = moveTarget(t, 'verified', { type: 'region.verified', actor: ENGINE_ACTOR, data: { coverage } });
    pushTargetMove(change, id, move, { verifiedAt: new Date(nowMs) });
  }
  return { change, pause: pauses.length > 0 ? pauses.join('; ') : null, waiting, uncovered };
}
