/** /metrics of the simulator with a manual clock: counters, rollout split, version faults, latency. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { imageVersion } from '../../apps/simulator/src/versions.js';
import { appsApi, releasePatch, strategic } from './helpers.js';
import { find, histogramQuantile, parseMetrics, value, type ParsedMetrics } from './metrics-helpers.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const V2 = 'registry.example.com/shop/checkout:2.0.0';
const REQ = 'sim_http_requests_total';
const checkout = (region: string, version: string, code?: string): Record<string, string> => ({
  region,
  namespace: 'shop',
  deployment: 'checkout',
  version,
  ...(code !== undefined ? { code } : {}),
});

describe('simulator metrics (manual clock)', () => {
  let now = T0;
  let sim: RunningSimulator;
  const metrics = (): ParsedMetrics => parseMetrics(sim.metricsText());
  const release = (region: string, version = '2.0.0', image = V2): Promise<unknown> =>
    appsApi(sim.regionUrl(region)).patchNamespacedDeployment(
      { name: 'checkout', namespace: 'shop', body: releasePatch(image, version, `r-${version}`) },
      strategic(),
    );

  beforeAll(async () => {
    sim = await startSimulator({ regions: ['eu-west', 'us-east'], stepMs: 1000, now: () => now });
  });
  beforeEach(() => {
    now = T0;
    sim.reset();
  });
  afterAll(() => sim.close());

  it('serves the text format with HELP/TYPE, and counters grow with the clock', async () => {
    expect(find(metrics(), REQ)).toEqual([]);
    now = T0 + 10_000;
    const res = await fetch(`${sim.url}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const m = parseMetrics(await res.text());
    expect(m.types).toMatchObject({
      sim_http_requests_total: 'counter',
      sim_http_request_duration_seconds: 'histogram',
      sim_lb_weight: 'gauge',
      sim_region_rps: 'gauge',
      sim_region_alert: 'gauge',
    });
    expect(m.help['sim_http_requests_total']).toBeTruthy();
    expect(value(m, REQ, checkout('eu-west', '1.0.0', '200'))).toBeCloseTo(200, 6);
    expect(value(m, REQ, checkout('eu-west', '1.0.0', '500'))).toBe(0);
    expect(value(m, REQ, checkout('us-east', '1.0.0', '200'))).toBeCloseTo(200, 6);
    expect(value(m, 'sim_http_request_duration_seconds_count', checkout('eu-west', '1.0.0'))).toBeCloseTo(200, 6);
    expect(value(m, 'sim_http_request_duration_seconds_sum', checkout('eu-west', '1.0.0'))).toBeCloseTo(200 * 0.05 * Math.exp(0.02), 6);
    expect(value(m, 'sim_http_request_duration_seconds_bucket', { ...checkout('eu-west', '1.0.0'), le: '0.05' })).toBeCloseTo(100, 3);
    expect(value(m, 'sim_http_request_duration_seconds_bucket', { ...checkout('eu-west', '1.0.0'), le: '+Inf' })).toBeCloseTo(200, 6);
    expect(find(m, 'sim_http_request_duration_seconds_bucket', checkout('eu-west', '1.0.0'))).toHaveLength(15);
    expect(value(m, 'sim_region_rps', { region: 'eu-west' })).toBe(20);
    expect(value(m, 'sim_lb_weight', { region: 'us-east' })).toBe(100);

    now = T0 + 20_000;
    expect(value(metrics(), REQ, checkout('eu-west', '1.0.0', '200'))).toBeCloseTo(400, 6);
    // scraping more often does not change the totals
    for (let t = 20_250; t <= 30_000; t += 250) {
      now = T0 + t;
      metrics();
    }
    expect(value(metrics(), REQ, checkout('eu-west', '1.0.0', '200'))).toBeCloseTo(600, 6);
  });

  it('splits a region’s traffic between versions by ready replicas during a rollout', async () => {
    await release('eu-west');
    now = T0 + 1500; // v2 arrived at T0+1050 (observed at +50, one replica per second)
    let m = metrics();
    expect(value(m, REQ, checkout('eu-west', '1.0.0', '200'))).toBeCloseTo(21 + 0.45 * 20 * (2 / 3), 6);
    expect(value(m, REQ, checkout('eu-west', '2.0.0', '200'))).toBeCloseTo(0.45 * 20 * (1 / 3), 6);
    now = T0 + 4050;
    m = metrics();
    expect(value(m, REQ, checkout('eu-west', '1.0.0', '200'))).toBeCloseTo(21 + 20 * (2 / 3) + 20 * (1 / 3), 6);
    expect(value(m, REQ, checkout('eu-west', '2.0.0', '200'))).toBeCloseTo(20 * (1 / 3) + 20 * (2 / 3) + 20, 6);
    expect(find(m, REQ, checkout('us-east', '2.0.0'))).toEqual([]);
    expect(value(m, REQ, checkout('us-east', '1.0.0', '200'))).toBeCloseTo(81, 6);
    // the old version's series stays, and stops growing
    now = T0 + 60_000;
    expect(value(metrics(), REQ, checkout('eu-west', '1.0.0', '200'))).toBeCloseTo(41, 6);
  });

  it('applies an error-rate fault to that version only, optionally only in some regions', async () => {
    sim.injectVersionFault({ version: '2.0.0', errorRate: 0.1 });
    const us = sim.injectVersionFault({ version: '1.0.0', errorRate: 0.5, regions: ['us-east'] });
    expect(typeof us).toBe('number');
    await release('eu-west');
    now = T0 + 13_050;
    const m = metrics();
    const v2Total = value(m, REQ, checkout('eu-west', '2.0.0', '200')) + value(m, REQ, checkout('eu-west', '2.0.0', '500'));
    expect(v2Total).toBeCloseTo(20 * (1 / 3) + 20 * (2 / 3) + 20 * 10, 6);
    expect(value(m, REQ, checkout('eu-west', '2.0.0', '500'))).toBeCloseTo(v2Total * 0.1, 6);
    expect(value(m, REQ, checkout('eu-west', '1.0.0', '500'))).toBe(0);
    expect(value(m, REQ, checkout('us-east', '1.0.0', '500'))).toBeCloseTo(20 * 13.05 * 0.5, 6);

    // faults add up, capped at 1; cleared faults stop counting errors
    sim.injectVersionFault({ version: '1.0.0', errorRate: 0.7, regions: ['us-east'] });
    const okBefore = value(m, REQ, checkout('us-east', '1.0.0', '200'));
    now = T0 + 23_050;
    expect(value(metrics(), REQ, checkout('us-east', '1.0.0', '200'))).toBeCloseTo(okBefore, 6);
    sim.clearVersionFaults();
    now = T0 + 24_050;
    expect(value(metrics(), REQ, checkout('us-east', '1.0.0', '200'))).toBeCloseTo(okBefore + 20, 6);
  });

  it('shows a latency fault in the histogram buckets (p50 and p90 double with latencyFactor 2)', () => {
    sim.injectVersionFault({ version: '1.0.0', latencyFactor: 2, regions: ['eu-west'] });
    now = T0 + 60_000;
    const m = metrics();
    const slow = checkout('eu-west', '1.0.0');
    const normal = checkout('us-east', '1.0.0');
    const count = value(m, 'sim_http_request_duration_seconds_count', slow);
    expect(value(m, 'sim_http_request_duration_seconds_bucket', { ...slow, le: '0.1' })).toBeCloseTo(count / 2, 3);
    expect(value(m, 'sim_http_request_duration_seconds_bucket', { ...normal, le: '0.05' })).toBeCloseTo(count / 2, 3);
    expect(histogramQuantile(m, 0.5, slow)).toBeCloseTo(0.1, 3);
    expect(histogramQuantile(m, 0.5, normal)).toBeCloseTo(0.05, 3);
    const p90ratio = histogramQuantile(m, 0.9, slow) / histogramQuantile(m, 0.9, normal);
    expect(p90ratio).toBeGreaterThan(1.8);
    expect(p90ratio).toBeLessThan(2.2);
  });

  it('adds latency in ms and follows a region’s base latency', () => {
    sim.setTraffic('us-east', { latencyMs: 200 });
    sim.injectVersionFault({ version: '1.0.0', addedLatencyMs: 25, regions: ['eu-west'] });
    now = T0 + 10_000;
    const m = metrics();
    expect(histogramQuantile(m, 0.5, checkout('eu-west', '1.0.0'))).toBeCloseTo(0.075, 3);
    expect(histogramQuantile(m, 0.5, checkout('us-east', '1.0.0'))).toBeCloseTo(0.2, 3);
  });

  it('starts a slow smoke only afterSeconds after the version arrived in the region', async () => {
    sim.injectVersionFault({ version: '2.0.0', errorRate: 0.5, afterSeconds: 60 });
    await release('eu-west');
    const arrived = T0 + 1050;
    now = arrived + 59_999;
    expect(value(metrics(), REQ, checkout('eu-west', '2.0.0', '500'))).toBe(0);
    now = arrived + 70_000;
    expect(value(metrics(), REQ, checkout('eu-west', '2.0.0', '500'))).toBeCloseTo(20 * 10 * 0.5, 6);
    // a region where 2.0.0 arrives later smokes later
    now = T0 + 100_000;
    await release('us-east');
    now = T0 + 100_000 + 1050 + 59_000;
    expect(value(metrics(), REQ, checkout('us-east', '2.0.0', '500'))).toBe(0);
    now = T0 + 100_000 + 1050 + 61_000;
    expect(value(metrics(), REQ, checkout('us-east', '2.0.0', '500'))).toBeCloseTo(20 * 0.5, 6);
  });

  it('counts nothing for a region with rps 0, and exports alerts', () => {
    sim.setTraffic('us-east', { rps: 0 });
    sim.setAlert('eu-west', 'HighErrorRate', true);
    now = T0 + 10_000;
    let m = metrics();
    expect(find(m, REQ, { region: 'us-east' })).toEqual([]);
    expect(sim.regionRps('us-east')).toBe(0);
    // the global total follows the base rates: eu-west keeps its own 20 rps
    expect(sim.regionRps('eu-west')).toBe(20);
    expect(value(m, 'sim_region_alert', { region: 'eu-west', alert: 'HighErrorRate' })).toBe(1);
    sim.setAlert('eu-west', 'HighErrorRate', false);
    m = metrics();
    expect(value(m, 'sim_region_alert', { region: 'eu-west', alert: 'HighErrorRate' })).toBe(0);
    sim.reset();
    m = metrics();
    expect(find(m, 'sim_region_alert')).toEqual([]);
    expect(find(m, REQ)).toEqual([]);
    expect(sim.regionRps('us-east')).toBe(20);
  });

  it('names versions by the version label, else the image tag or digest', () => {
    expect(imageVersion('registry.example.com/shop/checkout:1.2.3')).toBe('1.2.3');
    expect(imageVersion('localhost:5000/shop/checkout')).toBe('latest');
    expect(imageVersion('reg.io/app@sha256:0123456789abcdef0123456789abcdef')).toBe('sha256-0123456789ab');
    expect(imageVersion('reg.io/app:1.0@sha256:fedcba9876543210fedcba')).toBe('sha256-fedcba987654');
  });
});
