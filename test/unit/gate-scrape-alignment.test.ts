/** Rounds just after a scrape: the slot, the metrics a query selects, and when a Prometheus's scrapes are known. */
import { describe, expect, it } from 'vitest';
import { alignToScrape, nextDueAfter, SCRAPE_SETTLE_MS, selectedMetrics, type GateSpec } from '#domain';
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
