/** When a release's gates are evaluated together: never later than due, a round takes gates due soon, first rounds spread by release. */
import { describe, expect, it } from 'vitest';
import { coalesceMs, dueInRound, firstDueLeadMs, firstDueOnGrid, nextDueAfter, type GateSpec } from '#domain';

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

  it('due times are kept: a late or early round does not move the grid; missed due times are skipped, not run back to back', () => {
    const g = gate(1000); // coalesce 250 ms
    expect(nextDueAfter(g, 10_000, 10_000)).toBe(11_000); // on time
    expect(nextDueAfter(g, 10_000, 10_120)).toBe(11_000); // 120 ms late: the next keeps its time, 880 ms later
    expect(nextDueAfter(g, 10_000, 9_800)).toBe(11_000); // 200 ms early in a round
    expect(nextDueAfter(g, 10_000, 10_760)).toBe(12_000); // later than interval − coalesce: 11 000 is skipped
    expect(nextDueAfter(g, 10_000, 15_300)).toBe(16_000); // workers down for 5 s
    expect(nextDueAfter(g, 10_000, 9_000)).toBe(10_000); // evaluated at a bake's end, before it was due: keeps it
    // (a due time is never more than interval + coalesce ahead) always more than coalesce and at
    // most interval + coalesce ahead, always on the grid
    for (let now = 8_750; now < 14_000; now += 37) {
      const next = nextDueAfter(g, 10_000, now);
      expect(next - now).toBeGreaterThan(250);
      expect(next - now).toBeLessThanOrEqual(1250);
      expect((next - 10_000) % 1000).toBe(0);
    }
  });

  it("a new wave's first evaluation joins the grid the release keeps: never later than one interval into the bake, never at its start", () => {
    const g = gate(30_000);
    // the canary's looks are due at 7 000 + k × 30 000; a wave region's bake starts at 100 000
    expect(firstDueOnGrid(g, 125_000, 100_000, 3_600_000, 7_000)).toBe(127_000);
    expect(firstDueOnGrid(g, 125_000, 100_000, 3_600_000, 7_000 + 30_000 * 50)).toBe(127_000); // any point of the grid
    // the grid point one interval into the bake is the latest allowed
    expect(firstDueOnGrid(g, 125_000, 97_000, 3_600_000, 7_000)).toBe(127_000);
    // a grid point exactly at the bake's start is too early: the one an interval later
    expect(firstDueOnGrid(g, 152_000, 127_000, 3_600_000, 7_000)).toBe(157_000);
    // always in (bake start, bake start + interval]
    for (let start = 0; start < 100_000; start += 1_237) {
      const first = firstDueOnGrid(g, start + 25_000, start, 3_600_000, 7_000);
      expect(first).toBeGreaterThan(start);
      expect(first).toBeLessThanOrEqual(start + 30_000);
      expect((first - 7_000) % 30_000).toBe(0);
    }
    // a bake shorter than an interval keeps its own first due time (its end)
    expect(firstDueOnGrid(g, 110_000, 100_000, 10_000, 7_000)).toBe(110_000);
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
