/**
 * The release event catalogue (PRODUCT.md "Release lifecycle"): every event type Tideline
 * writes to a release's audit log and the `data` each carries, as one typed union.
 */
import type { Verdict } from './gates/types.js';
import type { FailurePolicy } from './plan.js';
import type { ReleaseState, TargetState } from './states.js';

/** The actor of everything the engine does on its own. */
export const ENGINE_ACTOR = 'tideline';

type Coverage = { coveredMs: number; gapCount: number } | null;

/** Each event type and its `data` (stored as JSON); `undefined` = the event carries none. */
export type EventData = {
  'release.created': {
    version: string;
    image: string;
    releaseNumber: number;
    /** a deliberate roll back/forward below a newer live release */
    allowOlder?: true;
    newerRelease?: { id: string; releaseNumber: number; state: ReleaseState };
  };
  'release.started': undefined;
  'release.superseded': { by: string; newerReleaseNumber?: number };
  'stage.started': { stage: string };
  /** `approvers` is read by notifications when present; the engine does not write it yet */
  'release.awaiting_approval': { stage: string; approvers?: string[] };
  'release.approved': { stage: string; stageIndex: number; regions: string[] };
  'release.promoted': { stage: string; regions: string[]; skippedBakeMs: Record<string, number> };
  /** with data when a failure policy paused it, without when an operator or a gate error did */
  'release.paused': { policy: FailurePolicy; stages: string[] } | undefined;
  'release.resumed': { pausedMs: number; retried?: string[] };
  /** a failure policy's rollback, or one an operator requested */
  'release.rolling_back': { policy: FailurePolicy; stages: string[] } | { requested: true; regions: string[] };
  'release.rolled_back': undefined;
  'release.failed': undefined;
  'release.succeeded': undefined;
  'release.cancelled': undefined;
  'region.blocked': undefined;
  'region.unblocked': undefined;
  'region.deploying': undefined;
  'region.recorded': { previousImages: string[] };
  'region.patched': { image: string };
  'region.baking': { bakeMs: number };
  'region.verified': { coverage: Record<string, Coverage> };
  'region.failed': undefined;
  'region.retry': { failedBecause: string | null };
  'region.draining': undefined;
  'region.drain_started': { previousWeight: number | null; preDrainRate: number | null };
  /** with data when the drain was measured, without when it was skipped */
  'region.drained': { drainMs: number; preDrainRate: number | null; rate: number | null } | undefined;
  'region.rolling_back': undefined;
  'region.restore_patched': { images: string[] };
  'region.rolled_back': undefined;
  'region.traffic_restored': { weight: number };
  'region.traffic_restore_failed': undefined;
  'gate.failed': {
    gate: string;
    stage: string;
    verdict: Verdict;
    observed: number | string | null;
    baseline: number | string | null;
    threshold: string;
    failingSeries: Array<Record<string, string>>;
    phase: 'bake' | 'watch';
  };
  /** `gate` is read by notifications when present; the engine names the gates in `reason` */
  'gate.errors': { gate?: string } | undefined;
};

export type EventType = keyof EventData;

export const EVENT_TYPES = Object.freeze(
  Object.keys({
    'release.created': 1,
    'release.started': 1,
    'release.superseded': 1,
    'stage.started': 1,
    'release.awaiting_approval': 1,
    'release.approved': 1,
    'release.promoted': 1,
    'release.paused': 1,
    'release.resumed': 1,
    'release.rolling_back': 1,
    'release.rolled_back': 1,
    'release.failed': 1,
    'release.succeeded': 1,
    'release.cancelled': 1,
    'region.blocked': 1,
    'region.unblocked': 1,
    'region.deploying': 1,
    'region.recorded': 1,
    'region.patched': 1,
    'region.baking': 1,
    'region.verified': 1,
    'region.failed': 1,
    'region.retry': 1,
    'region.draining': 1,
    'region.drain_started': 1,
    'region.drained': 1,
    'region.rolling_back': 1,
    'region.restore_patched': 1,
    'region.rolled_back': 1,
    'region.traffic_restored': 1,
    'region.traffic_restore_failed': 1,
    'gate.failed': 1,
    'gate.errors': 1,
  } satisfies Record<EventType, 1>) as EventType[],
);

export function isEventType(type: string): type is EventType {
  return (EVENT_TYPES as readonly string[]).includes(type);
}

/** The columns every event has besides its type and data. */
export interface EventFields {
  actor: string;
  region?: string | null;
  fromState?: ReleaseState | TargetState | null;
  toState?: ReleaseState | TargetState | null;
  reason?: string | null;
}

type DataField<D> = undefined extends D ? { data?: Exclude<D, undefined> | null } : { data: D };

/** One event of type T, as written. */
export type EventOf<T extends EventType> = { type: T } & EventFields & DataField<EventData[T]>;

/** Any release event, discriminated by `type` (like a typed job union `{ name; data }`). */
export type ReleaseEvent = { [T in EventType]: EventOf<T> }[EventType];

type Keys<U> = U extends unknown ? keyof U : never;
type FieldOf<U, K extends PropertyKey> = U extends { [P in K]?: infer V } ? V : never;
/** Every field any variant of D may hold, each optional. */
type AnyField<D> = { [K in Keys<D>]?: FieldOf<D, K> };

/**
 * The data of a stored event of type T as it may be found: any catalogued field may be
 * missing or odd (written by older or newer code), and `region`, `stage` and `reason` may
 * stand in data for the event's own columns. Read it through defensive helpers.
 */
export type StoredEventData<T extends EventType> = AnyField<NonNullable<EventData[T]>> & {
  region?: unknown;
  stage?: unknown;
  reason?: unknown;
};

/** A stored event of a known type with its data typed for reading. */
export type StoredEvent = { [T in EventType]: { type: T; data: StoredEventData<T> | null } }[EventType];

/** Narrow a stored event row to the catalogue; null when its type is not one Tideline writes. */
export function readEvent<R extends { type: string; data: unknown }>(row: R): (Omit<R, 'type' | 'data'> & StoredEvent) | null {
  if (!isEventType(row.type)) return null;
  const data = row.data && typeof row.data === 'object' && !Array.isArray(row.data) ? row.data : null;
  return { ...row, data } as Omit<R, 'type' | 'data'> & StoredEvent;
}
