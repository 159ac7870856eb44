/** The drain-verification rule shared by release drains and region operations (libs/domain/src/drain.ts). */
import { describe, expect, it } from 'vitest';
import { drained99, judgeDrain, judgeRestore, type TrafficReading } from '#domain';

const reading = (over: Partial<TrafficReading>): TrafficReading => ({
  hasRateQuery: true,
  preDrainRate: 20,
  rate: 20,
  elapsedMs: 0,
  drainTimeoutMs: 60_000,
  ...over,
});

describe('judgeDrain', () => {
  it('cannot verify without a rateQuery or a rate before the drain', () => {
    expect(judgeDrain(reading({ hasRateQuery: false }), 0.05)).toEqual({
      kind: 'unverifiable',
      note: 'not verified: the region has no rateQuery',
    });
    for (const preDrainRate of [null, 0, -1]) {
      expect(judgeDrain(reading({ preDrainRate }), 0.05)).toEqual({
        kind: 'unverifiable',
        note: 'not verified: no request rate before the drain',
      });
    }
  });

  it('is verified once the rate is at most the drained fraction of the rate before, waits until then, times out after', () => {
    expect(judgeDrain(reading({ rate: 1 }), 0.05).kind).toBe('verified');
    expect(judgeDrain(reading({ rate: 1.01 }), 0.05).kind).toBe('waiting');
    expect(judgeDrain(reading({ rate: null }), 0.05).kind).toBe('waiting');
    expect(judgeDrain(reading({ rate: 5, elapsedMs: 60_000 }), 0.05).kind).toBe('timed_out');
    expect(judgeDrain(reading({ rate: 0, elapsedMs: 60_000 }), 0.05).kind).toBe('verified');
  });
});

describe('judgeRestore', () => {
  it('is verified once the rate is back to half the rate before the drain', () => {
    expect(judgeRestore(reading({ rate: 10 })).kind).toBe('verified');
    expect(judgeRestore(reading({ rate: 9.9 })).kind).toBe('waiting');
    expect(judgeRestore(reading({ rate: 0, elapsedMs: 61_000 })).kind).toBe('timed_out');
    expect(judgeRestore(reading({ hasRateQuery: false })).kind).toBe('unverifiable');
  });
});

it('drained99: the rate fell to 1% of the rate before the drain', () => {
  expect(drained99(0.2, 20)).toBe(true);
  expect(drained99(0.21, 20)).toBe(false);
  expect(drained99(null, 20)).toBe(false);
});
