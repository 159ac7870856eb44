/**
 * When a real Prometheus scrapes what a gate queries (HttpPrometheus.scrapeTiming): the
 * simulator's targets, their interval and the end of a scrape; a metric nothing exposes is
 * unknown; and a gate round aligned to it runs just after a scrape, seeing that scrape's samples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignToScrape, selectedMetrics, SCRAPE_SETTLE_MS } from '#domain';
import { HttpPrometheus } from '#integrations';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { startPrometheus, type RunningPrometheus } from '../../scripts/prometheus.js';
import { ERROR_RATE_QUERY } from '../support/gate-env.js';

describe('a Prometheus scrape timing', () => {
  let sim: RunningSimulator;
  let prom: RunningPrometheus;

  beforeAll(async () => {
    sim = await startSimulator({
      regions: ['r1'],
      deployments: [{ namespace: 'shop', name: 'checkout', container: 'app', image: 'registry.example.com/shop/checkout:1.0.0' }],
    });
    prom = await startPrometheus({ scrapeTargets: [new URL(sim.url).host] });
    await prom.waitFor('sim_http_requests_total');
  }, 60_000);

  afterAll(async () => {
    await prom?.close();
    await sim?.close();
  });

  it('is the simulator target’s interval and a recent scrape end; unknown for a metric nothing exposes', async () => {
    const source = new HttpPrometheus({ url: prom.url });
    const metrics = selectedMetrics(ERROR_RATE_QUERY);
    expect(metrics).toEqual(['sim_http_requests_total']);
    const timing = await source.scrapeTiming(metrics);
    expect(timing).not.toBeNull();
    expect(timing!.intervalMs).toBe(1_000);
    expect(Date.now() - timing!.readyAtMs).toBeGreaterThanOrEqual(0);
    expect(Date.now() - timing!.readyAtMs).toBeLessThan(5_000);
    expect(await source.scrapeTiming(['no_such_metric_total'])).toBeNull();
    expect(await new HttpPrometheus({ url: 'http://127.0.0.1:1' }).scrapeTiming(metrics)).toBeNull();
  });

  it('an aligned round sees the samples of the scrape just before it', async () => {
    const source = new HttpPrometheus({ url: prom.url });
    const timing = (await source.scrapeTiming(['sim_http_requests_total']))!;
    const gate = { intervalMs: 1_000 } as Parameters<typeof alignToScrape>[0];
    const at = alignToScrape(gate, Date.now() + 2_000, timing, 'release', 0);
    await new Promise((r) => setTimeout(r, at - Date.now()));
    // the newest sample is from the scrape that ended just before `at`: less than a settle + spread + one query old
    const [sample] = await prom.query('time() - timestamp(sim_http_requests_total)');
    expect(sample).toBeDefined();
    expect(sample!.value * 1000).toBeLessThan(SCRAPE_SETTLE_MS + 100 + 250);
  });
});
