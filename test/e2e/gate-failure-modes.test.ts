/**
 * What gates do when they cannot conclude, and the drain policy, against a real Prometheus:
 * Prometheus stopped mid-bake (errors → pause, nothing passes; restarted + resumed → carries
 * on), a region with no traffic (inconclusive → its policy), and a failed region drained
 * through the simulator's load balancer before its rollback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, TERMINAL, type ReleaseBody } from '../support/api-client.js';
import { TEST_ACTOR } from '../support/auth.js';
import { ERROR_RATE_QUERY, REGION_RATE_QUERY, REQUESTS_QUERY, regionState, startGateEnv, type GateEnv } from '../support/gate-env.js';

const gate = (extra: Record<string, unknown> = {}) => ({
  name: 'error-rate',
  query: ERROR_RATE_QUERY,
  condition: '< 0.01',
  interval: '1s',
  window: '5s',
  timeout: '1s',
  minEvidence: { query: REQUESTS_QUERY, min: 5 },
  ...extra,
});
const canaryOnly = (region: string, bake: string, g: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  defaults: { bake, progressDeadline: '5s', gates: [g], ...extra },
  canary: { region },
});

describe('gate failure modes', () => {
  let env: GateEnv;

  beforeAll(async () => {
    env = await startGateEnv({
      regions: ['us-west', 'af-south', 'me-central', 'sa-east'],
      simulator: { traffic: { 'af-south': { rps: 0 }, 'me-central': { rps: 0 } }, lbRampMs: 1000 },
      regionExtras: (region, simUrl) =>
        region === 'sa-east'
          ? {
              traffic: {
                provider: 'simulator',
                url: simUrl,
                rateQuery: REGION_RATE_QUERY,
                window: '3s',
                drainedFraction: 0.05,
                drainTimeout: '30s',
              },
            }
          : {},
      services: [
        { service: 'stock', plan: canaryOnly('us-west', '12s', gate({ errorLimit: 2 })) },
        { service: 'quiet', plan: canaryOnly('af-south', '3s', gate()) },
        { service: 'hush', plan: canaryOnly('me-central', '3s', gate({ inconclusive: 'fail' })) },
        { service: 'drainme', plan: canaryOnly('sa-east', '10s', gate(), { onFailure: 'drain' }) },
      ],
    });
  });

  afterAll(async () => {
    await env?.close();
  });

  it('Prometheus stopped mid-bake: errors pause the release and nothing passes; restarted and resumed, it carries on', async () => {
    const created = await env.create('stock', '2.0.0', 1);
    await env.waitFor(created.id, (r) => regionState(r, 'us-west') === 'baking');
    await waitUntil(async () => (await env.gates(created.id)).evaluations.length >= 1);
    const stoppedAt = Date.now();
    await env.prom.stop();
    try {
      const paused = await env.waitFor(created.id, (r) => r.state === 'paused' || TERMINAL.includes(r.state), 30_000);
      expect(paused.state, JSON.stringify(paused)).toBe('paused');
      expect(paused.stateReason).toMatch(/2 consecutive errors: .*unreachable/);
      expect(regionState(paused, 'us-west')).toBe('baking');
      // Still paused a while later, with the bake long over: errors never pass.
      await new Promise((r) => setTimeout(r, 3_000));
      const later = await env.waitFor(created.id, () => true);
      expect(later.state).toBe('paused');
      const after = (await env.gates(created.id)).evaluations.filter((e) => Date.parse(e.evaluatedAt) > stoppedAt + 1_500);
      expect(after.length).toBeGreaterThanOrEqual(2);
      expect(after.every((e) => e.verdict === 'error')).toBe(true);
      expect((await env.events(created.id)).some((e) => e.type === 'gate.errors')).toBe(true);
    } finally {
      await env.prom.start();
    }
    await env.prom.waitFor(
      'sum(rate(sim_http_requests_total{deployment="stock", version="2.0.0"}[5s]))',
      (s) => (s[0]?.value ?? 0) > 0,
      30_000,
    );
    const resumed = await call<{ release: ReleaseBody; message: string }>(env.api.url, 'POST', `/v1/releases/${created.id}/resume`, {
      reason: 'prometheus is back',
    });
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    expect(resumed.body.release.state).toBe('running');
    const done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state));
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    const last = (await env.gates(created.id)).evaluations.at(-1)!;
    expect(last.verdict).toBe('pass');
    const resumedEvent = (await env.events(created.id)).find((e) => e.type === 'release.resumed')!;
    expect(resumedEvent).toMatchObject({ actor: TEST_ACTOR, reason: 'prometheus is back' });
  });

  it('a region with no traffic is inconclusive: policy pause holds the release, policy fail rolls it back', async () => {
    const quiet = await env.create('quiet', '2.0.0', 1);
    const paused = await env.waitFor(quiet.id, (r) => r.state === 'paused' || TERMINAL.includes(r.state), 30_000);
    expect(paused.state, JSON.stringify(paused)).toBe('paused');
    expect(paused.stateReason).toMatch(/inconclusive at the end of the bake: .*(evidence|no evidence|empty)/);
    const evaluations = (await env.gates(quiet.id)).evaluations;
    expect(evaluations.length).toBeGreaterThanOrEqual(1);
    expect(evaluations.every((e) => e.verdict === 'inconclusive')).toBe(true);

    const hush = await env.create('hush', '2.0.0', 1);
    const done = await env.waitFor(hush.id, (r) => TERMINAL.includes(r.state), 30_000);
    expect(done.state, JSON.stringify(done)).toBe('rolled_back');
    expect((await env.events(hush.id)).find((e) => e.type === 'gate.failed')!.data).toMatchObject({ verdict: 'inconclusive' });
  });

  it("drain: the failed region's traffic is moved away and verified by its request rate, then it is rolled back and its traffic restored", async () => {
    env.sim.injectVersionFault({ version: '2.0.0', regions: ['sa-east'], errorRate: 0.1 });
    try {
      const created = await env.create('drainme', '2.0.0', 1);
      const done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state), 60_000);
      expect(done.state, JSON.stringify(done)).toBe('rolled_back');
      const events = await env.events(created.id);
      const types = events.filter((e) => e.region === 'sa-east').map((e) => e.type);
      const order = [
        'region.failed',
        'region.draining',
        'region.drained',
        'region.rolling_back',
        'region.rolled_back',
        'region.traffic_restored',
      ];
      expect(order.map((t) => types.indexOf(t)).every((i, k, all) => i >= 0 && (k === 0 || i > all[k - 1]!))).toBe(true);
      const drained = events.find((e) => e.type === 'region.drained')!;
      expect(drained.reason).toBeNull(); // verified, not timed out
      const data = drained.data as { drainMs: number; preDrainRate: number; rate: number };
      expect(data.preDrainRate).toBeGreaterThan(5);
      expect(data.rate).toBeLessThanOrEqual(data.preDrainRate * 0.05);
      expect(data.drainMs).toBeGreaterThan(0);
      expect(data.drainMs).toBeLessThan(30_000);
      const target = (
        await call<{ stages: Array<{ regions: Array<{ region: string; drain: { drainMs: number } | null }> }> }>(
          env.api.url,
          'GET',
          `/v1/releases/${created.id}`,
        )
      ).body.stages[0]!.regions[0]!;
      expect(target.drain!.drainMs).toBe(data.drainMs);
      await waitUntil(async () => env.sim.weights()['sa-east'] === 100);
      expect(env.sim.deployment('sa-east', 'shop', 'drainme')!.images).toEqual({ drainme: 'registry.example.com/shop/drainme:1.0.0' });
    } finally {
      env.sim.clearVersionFaults();
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not met in time');
}
