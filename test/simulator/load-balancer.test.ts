/** The simulated global load balancer: drains, ramps, the /lb HTTP API and the traffic parts of /sim. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { parseMetrics, value } from './metrics-helpers.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const REGIONS = ['eu-west', 'us-east', 'ap-south'];

describe('load balancer (manual clock)', () => {
  let now = T0;
  let sim: RunningSimulator;
  const requests = (region: string): number =>
    value(parseMetrics(sim.metricsText()), 'sim_http_requests_total', { region, version: '1.0.0', code: '200' });
  const call = async (method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: unknown }> => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${sim.url}${path}`, init);
    return { status: res.status, json: await res.json() };
  };

  beforeAll(async () => {
    sim = await startSimulator({ regions: REGIONS, stepMs: 0, lbRampMs: 2000, now: () => now });
  });
  beforeEach(() => {
    now = T0;
    sim.reset();
  });
  afterAll(() => sim.close());

  it('drains a region over the ramp and moves its traffic to the others', () => {
    expect(sim.weights()).toEqual({ 'eu-west': 100, 'us-east': 100, 'ap-south': 100 });
    sim.setWeight('eu-west', 0);
    now = T0 + 1000;
    expect(sim.weights()['eu-west']).toBe(50);
    // eu-west: 60 × 10 / (10 + 20 + 20)
    expect(sim.regionRps('eu-west')).toBeCloseTo(12, 9);
    expect(sim.regionRps('us-east')).toBeCloseTo(24, 9);
    const m = parseMetrics(sim.metricsText());
    expect(value(m, 'sim_lb_weight', { region: 'eu-west' })).toBe(50);
    expect(value(m, 'sim_region_rps', { region: 'ap-south' })).toBeCloseTo(24, 9);
    now = T0 + 2000;
    expect(sim.weights()['eu-west']).toBe(0);
    expect(sim.regionRps('eu-west')).toBe(0);
    expect(sim.regionRps('us-east')).toBeCloseTo(30, 9);
    // ∫ 60·w/(w+2) dt over the ramp, w = 1 − t/2: 120·(1 − 2·ln 1.5)
    const drained = requests('eu-west');
    expect(drained).toBeCloseTo(120 * (1 - 2 * Math.log(1.5)), 2);
    // the global total is kept
    expect(drained + requests('us-east') + requests('ap-south')).toBeCloseTo(60 * 2, 6);
    now = T0 + 60_000;
    expect(requests('eu-west')).toBeCloseTo(drained, 9);
    expect(requests('us-east') + requests('ap-south')).toBeCloseTo(60 * 60 - drained, 6);

    sim.setWeight('eu-west', 100);
    now = T0 + 62_000;
    expect(sim.regionRps('eu-west')).toBeCloseTo(20, 9);
    expect(requests('eu-west')).toBeGreaterThan(drained);
  });

  it('gives every region 0 when every weight is 0, and follows base rates', () => {
    for (const r of REGIONS) sim.setWeight(r, 0);
    now = T0 + 2000;
    expect(REGIONS.map((r) => sim.regionRps(r))).toEqual([0, 0, 0]);
    const before = requests('us-east');
    now = T0 + 10_000;
    expect(requests('us-east')).toBe(before);
    for (const r of REGIONS) sim.setWeight(r, 100);
    sim.setTraffic('us-east', { rps: 40 });
    now = T0 + 20_000;
    expect(sim.regionRps('us-east')).toBe(40);
    sim.setWeight('us-east', 0);
    now = T0 + 22_000;
    // us-east's 40 rps spread over the others in proportion to their base rates
    expect(sim.regionRps('eu-west')).toBeCloseTo(40, 9);
    expect(sim.regionRps('ap-south')).toBeCloseTo(40, 9);
  });

  it('serves /lb/regions: list, get, put with a ramp, 400, 404 and 405', async () => {
    expect(await call('GET', '/lb/regions')).toEqual({
      status: 200,
      json: { regions: REGIONS.map((region) => ({ region, weight: 100, targetWeight: 100 })) },
    });
    expect(await call('GET', '/lb/regions/us-east')).toEqual({ status: 200, json: { region: 'us-east', weight: 100, targetWeight: 100 } });
    expect(await call('PUT', '/lb/regions/us-east', { weight: 0 })).toEqual({
      status: 200,
      json: { region: 'us-east', weight: 100, targetWeight: 0 },
    });
    now = T0 + 500;
    expect((await call('GET', '/lb/regions/us-east')).json).toEqual({ region: 'us-east', weight: 75, targetWeight: 0 });
    now = T0 + 2500;
    expect((await call('GET', '/lb/regions/us-east')).json).toEqual({ region: 'us-east', weight: 0, targetWeight: 0 });

    for (const [body, field] of [
      [{ weight: 101 }, 'weight'],
      [{ weight: -1 }, 'weight'],
      [{ weight: '50' }, 'weight'],
      [{}, 'weight'],
      [{ weight: 5, weigth: 5 }, 'weigth'],
    ] as const) {
      const res = await call('PUT', '/lb/regions/eu-west', body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.json)).toContain(`\\"${field}\\"`);
    }
    expect((await call('PUT', '/lb/regions/eu-west', 'not json')).status).toBe(400);
    expect((await call('PUT', '/lb/regions/mars', { weight: 1 })).status).toBe(404);
    expect((await call('GET', '/lb/regions/mars')).json).toEqual({ error: 'region "mars" not found' });
    expect((await call('GET', '/lb/nope')).status).toBe(404);
    expect((await call('DELETE', '/lb/regions/eu-west')).status).toBe(405);
    expect(sim.weights()['eu-west']).toBe(100);
  });

  it('serves the traffic, version-fault and alert endpoints of /sim, and reset clears them', async () => {
    expect((await call('PUT', '/sim/traffic/eu-west', { rps: 5, latencyMs: 80 })).json).toEqual({
      region: 'eu-west',
      rps: 5,
      latencyMs: 80,
      weight: 100,
      targetWeight: 100,
      effectiveRps: 5,
    });
    expect((await call('GET', '/sim/traffic')).json).toMatchObject({
      regions: [{ region: 'eu-west', rps: 5 }, { region: 'us-east', rps: 20 }, { region: 'ap-south' }],
    });
    expect((await call('PUT', '/sim/traffic/eu-west', { rps: -1 })).status).toBe(400);
    expect((await call('PUT', '/sim/traffic/eu-west', { rsp: 1 })).json).toEqual({ error: 'unknown field "rsp"' });
    expect((await call('PUT', '/sim/traffic/mars', { rps: 1 })).status).toBe(404);

    const fault = await call('POST', '/sim/version-faults', { version: '1.0.0', errorRate: 0.25, regions: ['eu-west'], afterSeconds: 0 });
    expect(fault).toMatchObject({ status: 201, json: { id: expect.any(Number), version: '1.0.0', errorRate: 0.25 } });
    expect((await call('GET', '/sim/version-faults')).json).toMatchObject({ items: [{ version: '1.0.0' }] });
    expect((await call('POST', '/sim/version-faults', { version: '1.0.0', errorRate: 2 })).json).toEqual({
      error: '"errorRate" must be a number from 0 to 1',
    });
    expect((await call('POST', '/sim/version-faults', { errorRate: 0.1 })).json).toEqual({ error: '"version" is required' });
    expect((await call('POST', '/sim/version-faults', { version: '1.0.0' })).status).toBe(400);

    expect((await call('PUT', '/sim/alerts/eu-west/HighErrorRate', { firing: true })).json).toEqual({
      region: 'eu-west',
      alert: 'HighErrorRate',
      firing: true,
    });
    expect((await call('GET', '/sim/alerts')).json).toEqual({ items: [{ region: 'eu-west', alert: 'HighErrorRate', firing: true }] });
    expect((await call('PUT', '/sim/alerts/eu-west/X', { firing: 'yes' })).status).toBe(400);
    expect((await call('PUT', '/sim/alerts/mars/X', { firing: true })).status).toBe(404);

    now = T0 + 4000;
    const m = parseMetrics(sim.metricsText());
    expect(value(m, 'sim_http_requests_total', { region: 'eu-west', code: '500' })).toBeCloseTo(5 * 4 * 0.25, 9);
    expect(value(m, 'sim_region_alert', { region: 'eu-west', alert: 'HighErrorRate' })).toBe(1);

    expect((await call('DELETE', '/sim/version-faults')).json).toEqual({ items: [] });
    sim.setWeight('ap-south', 0);
    expect((await call('POST', '/sim/reset')).status).toBe(200);
    expect((await call('GET', '/sim/alerts')).json).toEqual({ items: [] });
    expect((await call('GET', '/sim/traffic')).json).toMatchObject({
      regions: [{ region: 'eu-west', rps: 20, latencyMs: 50 }, {}, { region: 'ap-south', targetWeight: 100 }],
    });
  });
});

describe('load balancer with a token', () => {
  it('requires the bearer token on /lb but not on /metrics', async () => {
    const sim = await startSimulator({ regions: ['eu-west'], token: 'lb-secret' });
    try {
      const get = (path: string, token?: string): Promise<Response> =>
        fetch(`${sim.url}${path}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
      expect((await get('/lb/regions')).status).toBe(401);
      expect((await get('/lb/regions', 'wrong')).status).toBe(401);
      expect((await get('/lb/regions', 'lb-secret')).status).toBe(200);
      expect((await get('/metrics')).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
