/** A batch of writes one step makes: release columns, target columns and the events that explain them. */
import type { EventInput, ReleaseRecord, TargetRecord } from '../../../persistence/src/index.js';

export interface StepChange {
  release?: Partial<ReleaseRecord>;
  targets: Array<{ id: string; patch: Partial<TargetRecord> }>;
  events: EventInput[];
}

export const emptyChange = (): StepChange => ({ targets: [], events: [] });

export function isEmpty(c: StepChange): boolean {
  return !c.release && c.targets.length === 0 && c.events.length === 0;
}

export const ENGINE_ACTOR = 'tideline';

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
