import { describe, expect, it } from 'vitest';
import {
  ACTIVE_RELEASE_STATES,
  assertReleaseTransition,
  assertTargetTransition,
  canTransitionRelease,
  canTransitionTarget,
  IllegalTransitionError,
  isActiveRelease,
  isTerminalRelease,
  isTouched,
  RELEASE_STATES,
  TARGET_STATES,
  TERMINAL_RELEASE_STATES,
  type ReleaseState,
  type TargetState,
} from '../../libs/domain/src/states.js';

/** The release lifecycle as PRODUCT.md "Release lifecycle" describes it, written out independently. */
const RELEASE_ALLOWED: Record<ReleaseState, ReleaseState[]> = {
  queued: ['running', 'cancelled', 'superseded'],
  running: ['paused', 'awaiting_approval', 'rolling_back', 'succeeded', 'failed', 'cancelled'],
  paused: ['running', 'awaiting_approval', 'rolling_back', 'failed', 'cancelled'],
  awaiting_approval: ['running', 'paused', 'rolling_back', 'cancelled'],
  rolling_back: ['rolled_back', 'failed'],
  succeeded: [],
  rolled_back: [],
  failed: [],
  cancelled: [],
  superseded: [],
};

const TARGET_ALLOWED: Record<TargetState, TargetState[]> = {
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

const releasePairs = (allowed: boolean): Array<[ReleaseState, ReleaseState]> =>
  RELEASE_STATES.flatMap((from) =>
    RELEASE_STATES.filter((to) => RELEASE_ALLOWED[from].includes(to) === allowed).map((to): [ReleaseState, ReleaseState] => [from, to]),
  );
const targetPairs = (allowed: boolean): Array<[TargetState, TargetState]> =>
  TARGET_STATES.flatMap((from) =>
    TARGET_STATES.filter((to) => TARGET_ALLOWED[from].includes(to) === allowed).map((to): [TargetState, TargetState] => [from, to]),
  );

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe('release states', () => {
  it('lists exactly the ten release states', () => {
    expect([...RELEASE_STATES].sort()).toEqual(Object.keys(RELEASE_ALLOWED).sort());
    expect(RELEASE_STATES).toHaveLength(10);
  });

  it.each(releasePairs(true))('allows %s → %s', (from, to) => {
    expect(canTransitionRelease(from, to)).toBe(true);
    expect(() => assertReleaseTransition(from, to)).not.toThrow();
  });

  it('refuses every transition not in the table (exhaustive over all pairs)', () => {
    const illegal = releasePairs(false);
    expect(illegal.length).toBe(100 - releasePairs(true).length);
    for (const [from, to] of illegal) {
      expect(canTransitionRelease(from, to), `${from} → ${to}`).toBe(false);
      expect(() => assertReleaseTransition(from, to), `${from} → ${to}`).toThrow(IllegalTransitionError);
    }
  });

  it.each<[ReleaseState, ReleaseState]>([
    ['succeeded', 'running'],
    ['queued', 'rolling_back'],
    ['queued', 'succeeded'],
    ['queued', 'paused'],
    ['running', 'queued'],
    ['running', 'rolled_back'],
    ['running', 'superseded'],
    ['rolling_back', 'running'],
    ['rolling_back', 'succeeded'],
    ['rolling_back', 'cancelled'],
    ['paused', 'succeeded'],
    ['cancelled', 'running'],
    ['failed', 'rolling_back'],
    ['running', 'running'],
  ])('throws IllegalTransitionError for %s → %s', (from, to) => {
    const err = thrown(() => assertReleaseTransition(from, to));
    expect(err).toBeInstanceOf(IllegalTransitionError);
    expect(err).toBeInstanceOf(Error);
    const e = err as IllegalTransitionError;
    expect(e.subject).toBe('release');
    expect(e.from).toBe(from);
    expect(e.to).toBe(to);
    expect(e.name).toBe('IllegalTransitionError');
    expect(e.message).toContain(from);
    expect(e.message).toContain(to);
    expect(e.message).toContain('release');
  });

  it.each(RELEASE_STATES)('rolled_back → %s is illegal', (to) => {
    expect(canTransitionRelease('rolled_back', to)).toBe(false);
    expect(() => assertReleaseTransition('rolled_back', to)).toThrow(IllegalTransitionError);
  });

  it('terminal states are exactly succeeded, rolled_back, failed, cancelled, superseded', () => {
    expect([...TERMINAL_RELEASE_STATES].sort()).toEqual(['cancelled', 'failed', 'rolled_back', 'succeeded', 'superseded']);
    for (const s of RELEASE_STATES) {
      expect(isTerminalRelease(s), s).toBe(TERMINAL_RELEASE_STATES.includes(s));
    }
  });

  it('active states are exactly running, paused, awaiting_approval, rolling_back', () => {
    expect([...ACTIVE_RELEASE_STATES].sort()).toEqual(['awaiting_approval', 'paused', 'rolling_back', 'running']);
    for (const s of RELEASE_STATES) {
      expect(isActiveRelease(s), s).toBe(ACTIVE_RELEASE_STATES.includes(s));
    }
  });

  it('queued is neither active nor terminal; active and terminal are disjoint and cover the rest', () => {
    expect(isActiveRelease('queued')).toBe(false);
    expect(isTerminalRelease('queued')).toBe(false);
    for (const s of RELEASE_STATES) {
      expect(isActiveRelease(s) && isTerminalRelease(s), s).toBe(false);
      if (s !== 'queued') expect(isActiveRelease(s) || isTerminalRelease(s), s).toBe(true);
    }
  });

  it('terminal states have no way out; every non-terminal state has one', () => {
    for (const from of RELEASE_STATES) {
      const exits = RELEASE_STATES.filter((to) => canTransitionRelease(from, to));
      if (isTerminalRelease(from)) expect(exits, from).toEqual([]);
      else expect(exits.length, from).toBeGreaterThan(0);
    }
  });
});

describe('region-target states', () => {
  it('lists exactly the ten target states', () => {
    expect([...TARGET_STATES].sort()).toEqual(Object.keys(TARGET_ALLOWED).sort());
  });

  it.each(targetPairs(true))('allows %s → %s', (from, to) => {
    expect(canTransitionTarget(from, to)).toBe(true);
    expect(() => assertTargetTransition(from, to)).not.toThrow();
  });

  it('refuses every transition not in the table (exhaustive over all pairs)', () => {
    for (const [from, to] of targetPairs(false)) {
      expect(canTransitionTarget(from, to), `${from} → ${to}`).toBe(false);
      expect(() => assertTargetTransition(from, to), `${from} → ${to}`).toThrow(IllegalTransitionError);
    }
  });

  it('deploying → rolling_back and rolling_back → failed are allowed', () => {
    expect(canTransitionTarget('deploying', 'rolling_back')).toBe(true);
    expect(canTransitionTarget('rolling_back', 'failed')).toBe(true);
  });

  it.each<[TargetState, TargetState]>([
    ['pending', 'verified'],
    ['pending', 'baking'],
    ['pending', 'failed'],
    ['deploying', 'verified'],
    ['verified', 'baking'],
    ['rolled_back', 'deploying'],
    ['skipped', 'deploying'],
    ['failed', 'rolled_back'],
    ['drained', 'deploying'],
  ])('throws IllegalTransitionError for target %s → %s', (from, to) => {
    expect(canTransitionTarget(from, to)).toBe(false);
    const err = thrown(() => assertTargetTransition(from, to));
    expect(err).toBeInstanceOf(IllegalTransitionError);
    const e = err as IllegalTransitionError;
    expect(e.subject).toBe('target');
    expect(e.from).toBe(from);
    expect(e.to).toBe(to);
    expect(e.message).toContain('target');
  });

  it('isTouched: true exactly for states where the release has changed the cluster', () => {
    const touched: TargetState[] = ['deploying', 'baking', 'verified', 'failed', 'draining', 'drained'];
    const untouched: TargetState[] = ['pending', 'skipped', 'rolling_back', 'rolled_back'];
    expect([...touched, ...untouched].sort()).toEqual([...TARGET_STATES].sort());
    for (const s of touched) expect(isTouched(s), s).toBe(true);
    for (const s of untouched) expect(isTouched(s), s).toBe(false);
  });
});
