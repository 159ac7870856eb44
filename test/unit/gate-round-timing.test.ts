/** When a release's gates are evaluated together: never later than due, a round takes gates due soon, first rounds spread by release. */
import { describe, expect, it } from 'vitest';
import { coalesceMs, dueInRound, firstDueLeadMs, type GateSpec } from '#domain';

const gate = (intervalMs: number): GateSpec => ({
  name: 'g',
  query: 'q',
  condition: { kind: 'threshold', op: '<', value: 1 },
  intervalMs,
  windowMs: 60_000,
  failureLimit: 1,
  errorLimit: 3,
  inconclusive: 'pause',
  series: 'all',
  queryTimeoutMs: 10_000,
});

describe('gate round timing', () => {
  it('a round takes gates due within a quarter interval (at most 5 s), never one due later', () => {
    expect(coalesceMs(gate(1000))).toBe(250);
    expect(coalesceMs(gate(30_000))).toBe(5000);
    expect(dueInRound(gate(1000), 10_250, 10_000)).toBe(true);
    expect(dueInRound(gate(1000), 10_251, 10_000)).toBe(false);
    expect(dueInRound(gate(1000), 9_000, 10_000)).toBe(true);
  });

  it('the first evaluation comes earlier by a lead fixed per release, below half of min(interval, bake)', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `0000000${i}-1111-2222-3333-444444444444`);
    const leads = ids.map((id) => firstDueLeadMs(id, gate(30_000), 3_600_000));
    expect(leads.every((l) => l >= 0 && l < 15_000)).toBe(true);
    expect(firstDueLeadMs(ids[0]!, gate(30_000), 3_600_000)).toBe(leads[0]);
    // spread: every 1.5 s bucket of [0, 15 s) is used
    expect(new Set(leads.map((l) => Math.floor(l / 1500))).size).toBe(10);
    expect(firstDueLeadMs(ids[1]!, gate(30_000), 2000)).toBeLessThan(1000);
    expect(firstDueLeadMs(ids[1]!, gate(30_000), 0)).toBe(0);
  });
});
