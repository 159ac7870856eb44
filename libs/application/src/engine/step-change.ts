/** A batch of writes one step makes: release columns, target columns and the events that explain them. */
import type { ReleaseEvent } from '#domain';
import type { GateEvaluationInput, ReleaseRecord, TargetRecord } from '#persistence';

export interface StepChange {
  release?: Partial<ReleaseRecord>;
  targets: Array<{ id: string; patch: Partial<TargetRecord> }>;
  /** typed by the event catalogue (libs/domain/src/events.ts); state changes come from moveRelease/moveTarget */
  events: ReleaseEvent[];
  evaluations?: GateEvaluationInput[];
}

export const emptyChange = (): StepChange => ({ targets: [], events: [], evaluations: [] });

export function isEmpty(c: StepChange): boolean {
  return !c.release && c.targets.length === 0 && c.events.length === 0 && (c.evaluations?.length ?? 0) === 0;
}

/** Merge `b` into `a` (a target patched in both gets both patches, b's fields winning). */
export function mergeChanges(a: StepChange, b: StepChange): StepChange {
  const targets = [...a.targets];
  for (const t of b.targets) {
    const same = targets.find((x) => x.id === t.id);
    if (same) same.patch = { ...same.patch, ...t.patch };
    else targets.push(t);
  }
  return {
    ...(a.release || b.release ? { release: { ...a.release, ...b.release } } : {}),
    targets,
    events: [...a.events, ...b.events],
    evaluations: [...(a.evaluations ?? []), ...(b.evaluations ?? [])],
  };
}

/** Add a target's move (moveTarget: its state patch, plus the other columns in `also`) and the event that records it. */
export function pushTargetMove(
  change: StepChange,
  id: string,
  move: { patch: Partial<TargetRecord>; event: ReleaseEvent | null },
  also: Partial<TargetRecord> = {},
): void {
  change.targets.push({ id, patch: { ...move.patch, ...also } });
  if (move.event) change.events.push(move.event);
}
