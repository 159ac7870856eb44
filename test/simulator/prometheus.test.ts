/** A real Prometheus (scripts/prometheus.ts) scraping the simulator: rates, alerts, restart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { findPrometheusBinary, startPrometheus, type PromSample, type RunningPrometheus } from '../../scripts/prometheus.js';

const REGIONS = ['eu-west', 'us-east', 'ap-south'];
const RATE = 'sum by (region) (rate(sim_http_requests_total[10s]))';
const everyRegion = (s: PromSample[]): boolean => REGIONS.every((r) => s.some((x) => x.metric['region'] === r && x.value > 0));

describe('real Prometheus scraping the simulator', () => {
  let sim: RunningSimulator;
  let prom: RunningPrometheus;
  let startedAt = 0;
  let readyAt = 0;

  beforeAll(async () => {
    if (!findPrometheusBinary()) {
      throw new Error(
        'prometheus is not installed: run scripts/ensure-services.sh (apt-get install -y prometheus) or set TEST_PROMETHEUS_BIN',
      );
    }
    sim = await startSimulator({ regions: REGIONS, stepMs: 100 });
    startedAt = Date.now();
    prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${sim.port}`] });
    readyAt = Date.now();
  });
  afterAll(async () => {
    await prom?.close();
    await sim?.close();
  });

  it('sees every region’s request rate, a raised alert, and keeps its data across a restart', async () => {
    const first = await prom.waitFor('sim_region_rps', (s) => s.length === REGIONS.length, 20_000);
    const firstSampleAt = Date.now();
    expect(first.map((s) => s.metric['region']).sort()).toEqual([...REGIONS].sort());

    await prom.waitFor(RATE, everyRegion, 20_000);
    const ratesAt = Date.now();
    // rate() divides by the whole 10s window, so it is low until the series is 10s old; irate() is exact at once
    const irates = await prom.query('sum by (region) (irate(sim_http_requests_total[10s]))');
    expect(irates).toHaveLength(REGIONS.length);
    for (const s of irates) expect(s.value).toBeGreaterThan(18);
    for (const s of irates) expect(s.value).toBeLessThan(22);

    sim.setAlert('eu-west', 'HighErrorRate', true);
    const raised = Date.now();
    const alerts = await prom.waitFor('ALERTS{alertstate="firing"}', (s) => s.some((x) => x.metric['region'] === 'eu-west'), 15_000);
    const alertMs = Date.now() - raised;
    expect(alerts.find((x) => x.metric['region'] === 'eu-west')?.metric).toMatchObject({
      alertname: 'SimulatedRegionAlert',
      alert: 'HighErrorRate',
      region: 'eu-west',
    });
    console.log(
      `prometheus: ready ${readyAt - startedAt} ms after start, first sample after ${firstSampleAt - startedAt} ms, ` +
        `rate() for every region after ${ratesAt - startedAt} ms, alert firing ${alertMs} ms after it was raised`,
    );

    const scrapesBefore = (await prom.query('count_over_time(up{job="simulator"}[5m])'))[0]?.value ?? 0;
    expect(scrapesBefore).toBeGreaterThan(1);
    const port = prom.port;
    await prom.stop();
    await expect(prom.query('up')).rejects.toThrow();
    await prom.start();
    expect(prom.port).toBe(port);
    const after = await prom.waitFor('count_over_time(up{job="simulator"}[5m])', (s) => (s[0]?.value ?? 0) > scrapesBefore, 20_000);
    expect(after[0]?.value).toBeGreaterThan(scrapesBefore);
    await prom.waitFor(RATE, everyRegion, 20_000);
  });
});
