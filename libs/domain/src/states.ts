/** Release and region-target lifecycles (PRODUCT.md "Release lifecycle"). Pure: no I/O. */

export const RELEASE_STATES = [
  'queued',
  'running',
  'paused',
  'awaiting_approval',
  'rolling_back',
  'succeeded',
  'rolled_back',
  'failed',
  'cancelled',
  'superseded',
] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

/** States in which a release owns its service (at most one per service). */
export const ACTIVE_RELEASE_STATES: readonly ReleaseState[] = ['running', 'paused', 'awaiting_approval', 'rolling_back'];
export const TERMINAL_RELEASE_STATES: readonly ReleaseState[] = ['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded'];

export const TARGET_STATES = [
  'pending',
  'deploying',
  'baking',
  'verified',
  'failed',
  'rolling_back',
  'rolled_back',
  'draining',
  'drained',
  'skipped',
] as const;
export type TargetState = (typeof TARGET_STATES)[number];

const RELEASE_TRANSITIONS: Record<ReleaseState, readonly ReleaseState[]> = {
  queued: ['running', 'cancelled', 'superseded'],
  running: ['paused', 'awaiting_approval', 'rolling_back', 'succeeded', 'failed', 'cancelled'],
  // back to awaiting_approval when resumed while the current stage still waits for its approval
  paused: ['running', 'awaiting_approval', 'rolling_back', 'failed', 'cancelled'],
  awaiting_approval: ['running', 'paused', 'rolling_back', 'cancelled'],
  rolling_back: ['rolled_back', 'failed'],
  succeeded: [],
  rolled_back: [],
  failed: [],
  cancelled: [],
  superseded: [],
};

const TARGET_TRANSITIONS: Record<TargetState, readonly TargetState[]> = {
  pending: ['deploying', 'skipped'],
  deploying: ['baking', 'failed', 'rolling_back'],
  baking: ['verified', 'failed', 'rolling_back'],
  verified: ['failed', 'rolling_back'],
  failed: ['rolling_back', 'draining', 'deploying'],
  rolling_back: ['rolled_back', 'failed'],
  rolled_back: [],
  draining: ['drained', 'failed'],
  drained: ['rolling_back'],
  skipped: [],
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly subject: 'release' | 'target',
    readonly from: string,
    readonly to: string,
  ) {
    super(`illegal ${subject} transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export function canTransitionRelease(from: ReleaseState, to: ReleaseState): boolean {
  return RELEASE_TRANSITIONS[from].includes(to);
}

export function assertReleaseTransition(from: ReleaseState, to: ReleaseState): void {
  if (!canTransitionRelease(from, to)) throw new IllegalTransitionError('release', from, to);
}

export function canTransitionTarget(from: TargetState, to: TargetState): boolean {
  return TARGET_TRANSITIONS[from].includes(to);
}

export function assertTargetTransition(from: TargetState, to: TargetState): void {
  if (!canTransitionTarget(from, to)) throw new IllegalTransitionError('target', from, to);
}

export function isTerminalRelease(state: ReleaseState): boolean {
  return TERMINAL_RELEASE_STATES.includes(state);
}

export function isActiveRelease(state: ReleaseState): boolean {
  return ACTIVE_RELEASE_STATES.includes(state);
}

/** A target the release has changed in its cluster (and so must restore on rollback). */
export function isTouched(state: TargetState): boolean {
  return (
    state === 'deploying' || state === 'baking' || state === 'verified' || state === 'failed' || state === 'draining' || state === 'drained'
  );
}
