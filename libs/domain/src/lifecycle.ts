/**
 * Every change of a release's or a region target's state: checked against the transition
 * tables (states.ts) and paired with the event that records it. Pure: returns the patch to
 * write and the event to append; the caller commits both in one step.
 */
import type { EventOf, EventType, ReleaseEvent } from './events.js';
import { assertReleaseTransition, assertTargetTransition, type ReleaseState, type TargetState } from './states.js';

/** The release event types that record a change of the release's state, and the states each may enter. */
export const RELEASE_MOVES = {
  'release.started': ['running'],
  'release.approved': ['running'],
  'release.resumed': ['running', 'awaiting_approval'],
  'release.awaiting_approval': ['awaiting_approval'],
  'release.paused': ['paused'],
  'release.rolling_back': ['rolling_back'],
  'release.rolled_back': ['rolled_back'],
  'release.failed': ['failed'],
  'release.succeeded': ['succeeded'],
  'release.cancelled': ['cancelled'],
  'release.superseded': ['superseded'],
} as const satisfies Partial<Record<EventType, readonly ReleaseState[]>>;

/** The region event types that record a change of a target's state, and the states each may enter. */
export const TARGET_MOVES = {
  'region.deploying': ['deploying'],
  'region.retry': ['deploying'],
  'region.baking': ['baking'],
  'region.verified': ['verified'],
  'region.failed': ['failed'],
  'region.draining': ['draining'],
  'region.drained': ['drained'],
  'region.rolling_back': ['rolling_back'],
  'region.rolled_back': ['rolled_back'],
} as const satisfies Partial<Record<EventType, readonly TargetState[]>>;

export type ReleaseMoveType = keyof typeof RELEASE_MOVES;
export type TargetMoveType = keyof typeof TARGET_MOVES;

/** What the caller says about a move; the states (and, for a target, the region) are filled in. */
export type MoveEvent<T extends EventType> = Omit<EventOf<T>, 'fromState' | 'toState' | 'region'>;

export interface Move<S, E> {
  patch: { state: S };
  event: E;
}

/** Move a release to `to`, recorded by `event`. Throws IllegalTransitionError when the table forbids it. */
export function moveRelease<T extends ReleaseMoveType, S extends (typeof RELEASE_MOVES)[T][number]>(
  release: { state: ReleaseState },
  to: S,
  event: MoveEvent<T>,
): Move<S, EventOf<T>> {
  assertReleaseTransition(release.state, to);
  assertRecords(RELEASE_MOVES[event.type as T], event.type, to);
  return { patch: { state: to }, event: { ...event, fromState: release.state, toState: to } as EventOf<T> };
}

/**
 * Move a region target to `to`, recorded by `event` (its region and states filled in); `null`
 * only for `skipped`, which records no event (the pending regions of a release that ended).
 */
export function moveTarget<S extends 'skipped'>(target: { state: TargetState }, to: S, event: null): Move<S, null>;
export function moveTarget<T extends TargetMoveType, S extends (typeof TARGET_MOVES)[T][number]>(
  target: { state: TargetState; region: string },
  to: S,
  event: MoveEvent<T>,
): Move<S, EventOf<T>>;
export function moveTarget(
  target: { state: TargetState; region?: string },
  to: TargetState,
  event: MoveEvent<TargetMoveType> | null,
): Move<TargetState, ReleaseEvent | null> {
  assertTargetTransition(target.state, to);
  if (event === null) {
    if (to !== 'skipped') throw new Error(`a move of a target to ${to} must be recorded by an event`);
    return { patch: { state: to }, event: null };
  }
  assertRecords(TARGET_MOVES[event.type], event.type, to);
  return { patch: { state: to }, event: { ...event, region: target.region ?? null, fromState: target.state, toState: to } as ReleaseEvent };
}

function assertRecords(states: readonly string[], type: string, to: string): void {
  if (!states.includes(to)) throw new Error(`a ${type} event cannot record a move to ${to}`);
}
