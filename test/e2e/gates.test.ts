/**
 * Gates end to end against a real Prometheus scraping the simulator: a healthy release, an
 * error-rate fault on the canary, a slow smoke caught on the earlier-verified canary during a
 * later wave, and a baseline latency comparison (2× fails, 1.05× passes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL } from '../support/api-client.js';
import { ERROR_RATE_QUERY, P90_BASELINE_QUERY, REQUESTS_QUERY, regionState, startGateEnv, type GateEnv } from '../support/gate-env.js';

const errorRateGate = {
  name: 'error-rate',
  query: ERROR_RATE_QUERY,
  condition: '< 0.01',
  interval: '1s',
  window: '5s',
  minEvidence: { query: REQUESTS_QUERY, min: 5 },
};
const twoStage = (bake: string, waveBake = bake) => ({
  defaults: { bake, progressDeadline: '5s', gates: [errorRateGate] },
  canary: { region: 'us-west' },
  waves: [{ name: 'wave-1', regions: ['us-east'], bake: waveBake }],
});

describe('gates', () => {
  let env: GateEnv;

  beforeAll(async () => {
    env = await startGateEnv({
      regions: ['us-west', 'us-east', 'eu-west', 'eu-central', 'ap-south'],
      services: [
        { service: 'cart', plan: twoStage('4s') },
        { service: 'pay', plan: twoStage('6s') },
        { service: 'search', plan: twoStage('3s', '15s') },
        {
          service: 'feed',
          plan: {
            defaults: { bake: '5s', progressDeadline: '5s' },
            canary: {
              region: 'eu-west',
              gates: [
                {
                  name: 'p90-latency',
                  query: P90_BASELINE_QUERY,
                  baseline: { maxRatio: 1.5 },
                  interval: '1s',
                  window: '5s',
                  failureLimit: 2,
                },
              ],
            },
            waves: [{ name: 'rest', regions: ['eu-central', 'ap-south'], maxParallel: 2, bake: '1s' }],
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await env?.close();
  });

  it('a healthy release passes every gate and succeeds; the evaluations show real values', async () => {
    const created = await env.create('cart', '2.0.0', 1);
    const done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state));
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    const { gates, evaluations } = await env.gates(created.id);
    expect(gates.map((g) => [g.region, g.gate, g.status?.lastVerdict])).toEqual([
      ['us-west', 'error-rate', 'pass'],
      ['us-east', 'error-rate', 'pass'],
    ]);
    // 1s interval × failureLimit 1 + one evaluation (10s timeout)
    expect(gates[0]!.worstCaseBreachToActionMs).toBe(11_000);
    const passes = evaluations.filter((e) => e.verdict === 'pass');
    expect(passes.length).toBeGreaterThanOrEqual(2);
    for (const e of passes) {
      expect(e.query).toContain(`region="${e.region}", deployment="cart", version="2.0.0"`);
      expect(e.observed).toBe(0);
      expect(e.values).toHaveLength(1);
      expect(Number(e.evidence)).toBeGreaterThanOrEqual(5);
      expect(e.threshold).toBe('< 0.01');
    }
    expect(evaluations.every((e) => e.verdict !== 'fail' && e.verdict !== 'error')).toBe(true);
  });

  it('a 5% error rate fails the canary gate and the canary is rolled back', async () => {
    env.sim.injectVersionFault({ version: '2.0.0', errorRate: 0.05 });
    try {
      const created = await env.create('pay', '2.0.0', 1);
      const done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state));
      expect(done.state, JSON.stringify(done)).toBe('rolled_back');
      expect(regionState(done, 'us-west')).toBe('rolled_back');
      expect(regionState(done, 'us-east')).toBe('skipped');
      expect(env.sim.deployment('us-west', 'shop', 'pay')!.images).toEqual({ pay: 'registry.example.com/shop/pay:1.0.0' });
      const failed = (await env.gates(created.id)).evaluations.filter((e) => e.verdict === 'fail');
      expect(failed).toHaveLength(1);
      expect(Number(failed[0]!.observed)).toBeCloseTo(0.05, 2);
      const event = (await env.events(created.id)).find((e) => e.type === 'gate.failed')!;
      expect(event.region).toBe('us-west');
      expect(event.data).toMatchObject({ gate: 'error-rate', verdict: 'fail', threshold: '< 0.01', phase: 'bake' });
    } finally {
      env.sim.clearVersionFaults();
    }
  });

  it('a slow smoke after the canary was verified is caught during the next wave and every touched region is rolled back', async () => {
    // The fault starts 7s after the version arrives in us-west: after the canary's 3s bake.
    env.sim.injectVersionFault({ version: '2.0.0', regions: ['us-west'], errorRate: 0.2, afterSeconds: 7 });
    try {
      const created = await env.create('search', '2.0.0', 1);
      const done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state));
      expect(done.state, JSON.stringify(done)).toBe('rolled_back');
      expect(regionState(done, 'us-west')).toBe('rolled_back');
      expect(regionState(done, 'us-east')).toBe('rolled_back');
      const events = await env.events(created.id);
      const verified = events.find((e) => e.type === 'region.verified' && e.region === 'us-west')!;
      const failure = events.find((e) => e.type === 'gate.failed')!;
      expect(failure.region).toBe('us-west');
      expect(failure.data).toMatchObject({ phase: 'watch', stage: 'canary' });
      expect(Date.parse(failure.at)).toBeGreaterThan(Date.parse(verified.at));
      // us-east was baking when the canary smoked: the rollback covers it too.
      expect(events.some((e) => e.type === 'region.baking' && e.region === 'us-east')).toBe(true);
      for (const region of ['us-west', 'us-east']) {
        expect(env.sim.deployment(region, 'shop', 'search')!.images).toEqual({ search: 'registry.example.com/shop/search:1.0.0' });
      }
    } finally {
      env.sim.clearVersionFaults();
    }
  });

  it('baseline comparison: 2× the latency of the regions on the old version fails, 1.05× passes', async () => {
    env.sim.injectVersionFault({ version: '2.0.0', regions: ['eu-west'], latencyFactor: 2 });
    env.sim.injectVersionFault({ version: '2.0.1', regions: ['eu-west'], latencyFactor: 1.05 });
    try {
      const slow = await env.create('feed', '2.0.0', 1);
      const slowDone = await env.waitFor(slow.id, (r) => TERMINAL.includes(r.state));
      expect(slowDone.state, JSON.stringify(slowDone)).toBe('rolled_back');
      const failed = (await env.gates(slow.id)).evaluations.filter((e) => e.verdict === 'fail');
      expect(failed.length).toBeGreaterThanOrEqual(2); // failureLimit 2
      for (const e of failed) {
        expect(e.baselineQuery).toContain('region=~"ap-south|eu-central"');
        expect(e.baselineQuery).toContain('version="1.0.0"');
        expect(Number(e.observed) / Number(e.baseline)).toBeGreaterThan(1.7);
      }

      const ok = await env.create('feed', '2.0.1', 2);
      const okDone = await env.waitFor(ok.id, (r) => TERMINAL.includes(r.state));
      expect(okDone.state, JSON.stringify(okDone)).toBe('succeeded');
      const passes = (await env.gates(ok.id)).evaluations.filter((e) => e.verdict === 'pass');
      expect(passes.length).toBeGreaterThanOrEqual(1);
      for (const e of passes) expect(Number(e.observed) / Number(e.baseline)).toBeLessThan(1.2);
    } finally {
      env.sim.clearVersionFaults();
    }
  });
});
