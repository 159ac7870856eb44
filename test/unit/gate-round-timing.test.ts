/** When a release's gates are evaluated together: never later than due, a round takes gates due soon, first rounds spread by release, rounds just after a scrape. */
import { describe, expect, it } from 'vitest';
import {
  alignToScrape,
  coalesceMs,
  dueInRound,
  firstDueLeadMs,
  firstDueOnGrid,
  nextDueAfter,
  SCRAPE_SETTLE_MS,
  selectedMetrics,
  type GateSpec,
} from '#domain';
import { commonScrapeTiming, parseScrapeInterval } from '../../libs/integrations/src/prometheus/scrape-timing.js';

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

describe('alignToScrape', () => {
  const scrape = { intervalMs: 1_000, readyAtMs: 5_300 }; // scrapes end at …300 ms of every second

  it('moves the first due time back to just after the latest scrape at or before it, by at most one scrape interval', () => {
    for (const id of ['a', 'b', 'c', 'release-42']) {
      const slot = alignToScrape(gate(1_000), 20_000, scrape, id, 0);
      const offset = (slot - 300) % 1_000;
      expect(offset).toBeGreaterThanOrEqual(SCRAPE_SETTLE_MS);
      expect(offset).toBeLessThan(SCRAPE_SETTLE_MS + 100); // a tenth of the gate interval spreads releases
      expect(slot).toBeLessThanOrEqual(20_000);
      expect(slot).toBeGreaterThan(19_000);
    }
  });

  it('spreads releases over a tenth of the gate interval after the scrape, at most one scrape interval', () => {
    const offsets = (g: GateSpec, timing: { intervalMs: number; readyAtMs: number }) =>
      Array.from({ length: 200 }, (_, i) => {
        const slot = alignToScrape(g, 1_000_000, timing, `release-${i}`, 0);
        return (((slot - timing.readyAtMs) % timing.intervalMs) + timing.intervalMs) % timing.intervalMs;
      });
    const wide = offsets(gate(30_000), { intervalMs: 5_000, readyAtMs: 0 }); // 30 s gates, 5 s scrapes: over 3 s
    expect(Math.min(...wide)).toBeGreaterThanOrEqual(SCRAPE_SETTLE_MS);
    expect(Math.max(...wide)).toBeLessThan(SCRAPE_SETTLE_MS + 3_000);
    expect(Math.max(...wide) - Math.min(...wide)).toBeGreaterThan(2_500);
    const capped = offsets(gate(60_000), { intervalMs: 2_000, readyAtMs: 0 }); // a tenth would be 6 s: one scrape interval
    expect(Math.max(...capped)).toBeLessThan(2_000);
  });

  it('keeps every later due time just after a scrape when the interval is a whole number of scrapes', () => {
    const g = gate(3_000);
    let due = alignToScrape(g, 61_234, { intervalMs: 1_000, readyAtMs: 5_300 }, 'r', 0);
    for (let i = 0; i < 5; i++) {
      due = nextDueAfter(g, due, due + 40); // each round ran 40 ms after due
      expect((due - 5_300) % 1_000).toBe((alignToScrape(g, 61_234, { intervalMs: 1_000, readyAtMs: 5_300 }, 'r', 0) - 5_300) % 1_000);
    }
  });

  it('leaves the due time alone without timing, or when the gate interval is not a whole number of scrapes', () => {
    expect(alignToScrape(gate(1_000), 20_000, null, 'r', 0)).toBe(20_000);
    expect(alignToScrape(gate(1_500), 20_000, scrape, 'r', 0)).toBe(20_000);
    expect(alignToScrape(gate(500), 20_000, scrape, 'r', 0)).toBe(20_000); // scrapes slower than the gate
    expect(alignToScrape(gate(1_000), 20_000, { intervalMs: 0, readyAtMs: 1 }, 'r', 0)).toBe(20_000);
  });

  it('never puts the slot at or before the bake start: the next scrape then', () => {
    const slot = alignToScrape(gate(1_000), 19_500, scrape, 'a', 19_400);
    expect(slot).toBeGreaterThan(19_400);
    expect((slot - 300) % 1_000).toBeGreaterThanOrEqual(SCRAPE_SETTLE_MS);
  });
});

describe('selectedMetrics', () => {
  it('names the metrics of selectors, not functions, label names, keywords or the template', () => {
    expect(
      selectedMetrics(
        'sum(rate(sim_http_requests_total{region="{{region}}", code="500"}[{{window}}])) / sum(rate(sim_http_requests_total{region="{{region}}"}[{{window}}]))',
      ),
    ).toEqual(['sim_http_requests_total']);
    expect(selectedMetrics('histogram_quantile(0.99, sum by (le, region) (rate(http_duration_seconds_bucket[5m])))')).toEqual([
      'http_duration_seconds_bucket',
    ]);
    expect(selectedMetrics('errors_total / on (region) group_left (team) requests_total offset 1m > bool 0.01')).toEqual([
      'errors_total',
      'requests_total',
    ]);
    expect(selectedMetrics('up')).toEqual(['up']);
    expect(selectedMetrics('{__name__="x"}')).toEqual([]);
    expect(selectedMetrics('sum(x) $')).toEqual([]); // does not tokenize
  });
});

describe("a Prometheus's scrape timing", () => {
  it('reads Prometheus intervals', () => {
    expect(parseScrapeInterval('1s')).toBe(1_000);
    expect(parseScrapeInterval('15s')).toBe(15_000);
    expect(parseScrapeInterval('1m30s')).toBe(90_000);
    expect(parseScrapeInterval('500ms')).toBe(500);
    expect(parseScrapeInterval('1h')).toBe(3_600_000);
    expect(parseScrapeInterval('')).toBeNull();
    expect(parseScrapeInterval('0s')).toBeNull();
    expect(parseScrapeInterval('soon')).toBeNull();
  });

  it('is known when the targets share an interval and end within a tenth of it; the cluster’s last end is the one to follow', () => {
    expect(commonScrapeTiming([{ intervalMs: 1_000, readyAtMs: 10_300 }])).toEqual({ intervalMs: 1_000, readyAtMs: 10_300 });
    // 40 ms apart, across the wrap of the second
    expect(
      commonScrapeTiming([
        { intervalMs: 1_000, readyAtMs: 10_980 },
        { intervalMs: 1_000, readyAtMs: 12_020 },
      ]),
    ).toEqual({ intervalMs: 1_000, readyAtMs: 12_020 });
  });

  it('is unknown when targets spread over the interval, differ in interval, or there are none', () => {
    expect(
      commonScrapeTiming([
        { intervalMs: 1_000, readyAtMs: 10_100 },
        { intervalMs: 1_000, readyAtMs: 10_600 },
      ]),
    ).toBeNull();
    expect(
      commonScrapeTiming([
        { intervalMs: 1_000, readyAtMs: 10_100 },
        { intervalMs: 2_000, readyAtMs: 10_100 },
      ]),
    ).toBeNull();
    expect(commonScrapeTiming([{ intervalMs: Number.NaN, readyAtMs: 10_100 }])).toBeNull();
    expect(commonScrapeTiming([])).toBeNull();
  });
});
