/**
 * Verifying regions whose bake window has ended: a region is verified only when every gate
 * of its stage agrees (last verdict pass, or inconclusive under policy `pass`). A gate still
 * failing below its limit or erroring below its limit makes the region wait for the next
 * evaluation; an inconclusive gate under policy `pause` pauses the release.
 */
import { readyToVerify } from '../../../domain/src/index.js';
import type { ReleaseRecord, TargetRecord } from '../../../persistence/src/index.js';
import { gateStatusOf, stageGates } from './gate-runner.js';
import { emptyChange, ENGINE_ACTOR, type StepChange } from './step-change.js';

export interface VerificationResult {
  change: StepChange;
  /** reason to pause the release, when a gate cannot be concluded */
  pause: string | null;
  /** regions whose bake ended but whose gates have not agreed yet */
  waiting: string[];
}

export function verifyChange(release: ReleaseRecord, targets: readonly TargetRecord[], ids: readonly string[], nowMs: number): VerificationResult {
  const change = emptyChange();
  const pauses: string[] = [];
  const waiting: string[] = [];
  for (const id of ids) {
    const t = targets.find((x) => x.id === id)!;
    let ready = true;
    for (const gate of stageGates(release.plan.stages[t.stageIndex])) {
      const readiness = readyToVerify(gate, gateStatusOf(release, t, gate));
      if (readiness.ready) continue;
      ready = false;
      if ('pause' in readiness) pauses.push(`region ${t.region}: ${readiness.pause}`);
    }
    if (!ready) {
      waiting.push(t.region);
      continue;
    }
    change.targets.push({ id, patch: { state: 'verified', verifiedAt: new Date(nowMs) } });
    change.events.push({ type: 'region.verified', actor: ENGINE_ACTOR, region: t.region, fromState: 'baking', toState: 'verified' });
  }
  return { change, pause: pauses.length > 0 ? pauses.join('; ') : null, waiting };
}
