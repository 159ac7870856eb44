/**
 * Region drain and restore through the gateway-api traffic provider: the API and the worker
 * patch the weight of the region's backendRef in the simulator's edge HTTPRoute, the
 * simulated load balancer follows the accepted route, and a real Prometheus sees the region's
 * rate fall and come back. A route the gateway refuses ends the drain failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api-client.js';
import { REGION_RATE_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rateOf = (region: string) => `sum(rate(sim_http_requests_total{region="${region}"}[3s]))`;
const USER_RULE = { matches: [{ path: { type: 'PathPrefix', value: '/beta' } }], backendRefs: [{ name: 'beta', port: 80 }] };

interface Operation {
  id: string;
  state: string;
  previousWeight: number | null;
  targetWeight: number;
  preDrainRate: number | null;
  drainMs: number | null;
  note: string | null;
}
interface Route {
  metadata: { generation: number };
  spec: { rules: { backendRefs: { name: string; weight?: number }[] }[] };
}

describe('region drain through the gateway-api provider', () => {
  let env: GateEnv;

  beforeAll(async () => {
    const gateway = (simUrl: string) => ({
      provider: 'gateway-api',
      kubernetes: { server: `${simUrl}/edge`, skipTLSVerify: true },
      namespace: 'edge',
      route: 'global',
      rateQuery: REGION_RATE_QUERY,
      window: '3s',
      drainedFraction: 0.05,
      drainTimeout: '20s',
    });
    env = await startGateEnv({
      regions: ['eu-west', 'us-east'],
      simulator: { lbRampMs: 1000 },
      regionDefaults: (simUrl) => ({ traffic: gateway(simUrl) }),
      regionExtras: (region, simUrl) => (region === 'us-east' ? { traffic: { ...gateway(simUrl), drainTimeout: '3s' } } : {}),
      services: [
        {
          service: 'web',
          plan: { defaults: { bake: '1s' }, canary: { region: 'eu-west' }, waves: [{ name: 'rest', regions: ['us-east'] }] },
        },
      ],
    });
  });
  afterAll(() => env?.close());

  const request = (region: string, kind: 'drain' | 'restore') =>
    call<{ operation: Operation }>(env.api.url, 'POST', `/v1/regions/${region}/${kind}`, { reason: `${kind} through the gateway` });
  async function until(region: string, id: string, done: (o: Operation) => boolean, timeoutMs = 40_000): Promise<Operation> {
    const deadline = Date.now() + timeoutMs;
    let last: Operation | undefined;
    while (Date.now() < deadline) {
      const res = await call<Operation>(env.api.url, 'GET', `/v1/regions/${region}/operations/${id}`).catch(() => undefined);
      if (res?.status === 200) {
        last = res.body;
        if (done(last)) return last;
      }
      await sleep(200);
    }
    throw new Error(`operation ${id} not done: ${JSON.stringify(last)}`);
  }
  const route = () => env.sim.readHttpRoute('edge', 'global') as unknown as Route;

  it('drains eu-west by its backendRef weight (the rate falls to about zero) and restores it', async () => {
    // the user's own rule, which Tideline must leave alone
    const edit = await fetch(`${env.sim.edgeUrl}/apis/gateway.networking.k8s.io/v1/namespaces/edge/httproutes/global`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { rules: [...route().spec.rules, USER_RULE] } }),
    });
    expect(edit.status).toBe(200);
    const regions = await call<{ items: { name: string; traffic: { provider: string; weight: number | null } }[] }>(
      env.api.url,
      'GET',
      '/v1/regions',
    );
    expect(regions.body.items.map((r) => [r.name, r.traffic.provider, r.traffic.weight])).toEqual([
      ['eu-west', 'gateway-api', 1],
      ['us-east', 'gateway-api', 1],
    ]);

    const res = await request('eu-west', 'drain');
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const drained = await until('eu-west', res.body.operation.id, (o) => o.state === 'drained');
    expect(drained.previousWeight).toBe(1); // unset = 1, and 1 is what a restore puts back
    expect(drained.preDrainRate!).toBeGreaterThan(5);
    expect(drained.drainMs!).toBeGreaterThan(0);
    console.log(`eu-west drain through the HTTPRoute: ${drained.drainMs} ms to 95% (pre-drain ${drained.preDrainRate?.toFixed(1)} req/s)`);
    const after = route();
    expect(after.spec.rules[0]?.backendRefs.map((r) => [r.name, r.weight])).toEqual([
      ['eu-west', 0],
      ['us-east', 1],
    ]);
    expect(after.spec.rules[1]).toEqual(USER_RULE);
    expect(env.sim.weights()['eu-west']).toBe(0);
    const rate = (await env.prom.query(rateOf('eu-west')))[0]?.value ?? 0;
    expect(rate).toBeLessThanOrEqual(drained.preDrainRate! * 0.05);

    const restore = await request('eu-west', 'restore');
    expect(restore.status).toBe(202);
    expect(restore.body.operation.targetWeight).toBe(1);
    await until('eu-west', restore.body.operation.id, (o) => o.state === 'restored');
    expect(route().spec.rules[0]?.backendRefs.map((r) => r.weight)).toEqual([1, 1]);
    await env.prom.waitFor(rateOf('eu-west'), (s) => (s[0]?.value ?? 0) > drained.preDrainRate! * 0.8, 20_000);
  });

  it('a route the gateway does not accept ends the drain failed, with the reason', async () => {
    env.sim.setRouteAcceptance({
      accepted: false,
      resolvedRefs: true,
      reason: 'NotAllowedByListeners',
      message: 'listener refuses the route',
    });
    try {
      const res = await request('us-east', 'drain');
      expect(res.status).toBe(202);
      const failed = await until('us-east', res.body.operation.id, (o) => o.state === 'failed');
      expect(failed.note).toMatch(/Accepted False \(NotAllowedByListeners: listener refuses the route\)/);
      expect(env.sim.weights()['us-east']).toBe(100); // the gateway never programmed it
    } finally {
      env.sim.setRouteAcceptance({ accepted: true, resolvedRefs: true });
    }
  });
});
