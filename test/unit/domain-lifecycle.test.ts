/** moveRelease / moveTarget: every state change checked against the tables and paired with its event. */
import { describe, expect, it } from 'vitest';
import {
  EVENT_TYPES,
  IllegalTransitionError,
  isEventType,
  moveRelease,
  moveTarget,
  readEvent,
  RELEASE_MOVES,
  TARGET_MOVES,
  type MoveEvent,
  type ReleaseMoveType,
} from '#domain';

describe('moveRelease', () => {
  it('returns the state patch and the event, with the states filled in', () => {
    const move = moveRelease({ state: 'running' }, 'paused', { type: 'release.paused', actor: 'alice', reason: 'lunch' });
    expect(move).toEqual({
      patch: { state: 'paused' },
      event: { type: 'release.paused', actor: 'alice', reason: 'lunch', fromState: 'running', toState: 'paused' },
    });
  });

  it('refuses a transition the table forbids', () => {
    expect(() => moveRelease({ state: 'succeeded' }, 'running', { type: 'release.started', actor: 'tideline' })).toThrow(
      IllegalTransitionError,
    );
    expect(() =>
      moveRelease({ state: 'queued' }, 'rolling_back', {
        type: 'release.rolling_back',
        actor: 'x',
        data: { requested: true, regions: [] },
      }),
    ).toThrow(/illegal release transition queued → rolling_back/);
  });

  it('refuses an event that does not record the move (a wrong pairing the types would catch)', () => {
    const wrong = { type: 'release.succeeded', actor: 'tideline' } as unknown as MoveEvent<'release.paused'>;
    expect(() => moveRelease({ state: 'running' }, 'paused', wrong)).toThrow(/release.succeeded event cannot record a move to paused/);
  });

  it('a resume goes back to awaiting_approval when the stage still waits for it', () => {
    expect(
      moveRelease({ state: 'paused' }, 'awaiting_approval', { type: 'release.resumed', actor: 'bob', data: { pausedMs: 5 } }).event.toState,
    ).toBe('awaiting_approval');
  });

  it('each release move type enters states the table allows from somewhere', () => {
    for (const [type, states] of Object.entries(RELEASE_MOVES)) {
      expect(isEventType(type), type).toBe(true);
      expect(type.startsWith('release.'), type).toBe(true);
      expect(states.length, type).toBeGreaterThan(0);
    }
    const types: ReleaseMoveType[] = Object.keys(RELEASE_MOVES) as ReleaseMoveType[];
    expect(types).toContain('release.resumed');
  });
});

describe('moveTarget', () => {
  it('fills in the region and the states', () => {
    const move = moveTarget({ state: 'baking', region: 'eu-west' }, 'failed', {
      type: 'region.failed',
      actor: 'tideline',
      reason: 'gate failed',
    });
    expect(move.patch).toEqual({ state: 'failed' });
    expect(move.event).toEqual({
      type: 'region.failed',
      actor: 'tideline',
      reason: 'gate failed',
      region: 'eu-west',
      fromState: 'baking',
      toState: 'failed',
    });
  });

  it('skipping records no event; any other move must', () => {
    expect(moveTarget({ state: 'pending' }, 'skipped', null)).toEqual({ patch: { state: 'skipped' }, event: null });
    expect(() => moveTarget({ state: 'deploying' }, 'skipped', null)).toThrow(IllegalTransitionError);
  });

  it('refuses a transition the table forbids', () => {
    expect(() =>
      moveTarget({ state: 'rolled_back', region: 'x' }, 'deploying', { type: 'region.retry', actor: 'a', data: { failedBecause: null } }),
    ).toThrow(IllegalTransitionError);
  });

  it('every target move type is a region event', () => {
    for (const type of Object.keys(TARGET_MOVES)) expect(type.startsWith('region.') && isEventType(type), type).toBe(true);
  });
});

describe('the event catalogue', () => {
  it('lists each type once and knows which strings are event types', () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    expect(isEventType('gate.failed')).toBe(true);
    for (const no of ['made.up', 'toString', '__proto__', '']) expect(isEventType(no), no).toBe(false);
  });

  it('readEvent narrows a stored row by its type and keeps only object data', () => {
    const row = { id: '1', type: 'gate.failed', data: { gate: 'errors' } as unknown, actor: 'tideline' };
    const e = readEvent(row);
    expect(e?.type === 'gate.failed' ? e.data?.gate : undefined).toBe('errors');
    expect(readEvent({ ...row, data: [1, 2] })?.data).toBeNull();
    expect(readEvent({ ...row, type: 'made.up' })).toBeNull();
  });
});
