/**
 * Region drain and restore outside any release, against the simulator's load balancer and a
 * real Prometheus: the region's traffic falls to about zero and comes back, the drain time is
 * recorded and shown; the same through a signed webhook (the user's automation, here a test
 * server that moves the simulator's weight); a webhook that fails; a restore that supersedes a
 * drain; the verification going on while the API and the worker are SIGKILLed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../libs/integrations/src/index.js';
import { call } from '../support/api-client.js';
import { REGION_RATE_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { ACTOR } from './actor.js';

const SECRET = 'webhook-hmac-secret-for-tests';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rateOf = (region: string) => `sum(rate(sim_http_requests_total{region="${region}"}[3s]))`;

interface Operation {
  id: string;
  region: string;
  kind: string;
  state: string;
  actor: string;
  reason: string | null;
  previousWeight: number | null;
  targetWeight: number;
  preDrainRate: number | null;
  lastRate: number | null;
  drainMs: number | null;
  drain99Ms: number | null;
  restoreMs: number | null;
  note: string | null;
}
interface RegionBody {
  name: string;
  traffic: { provider: string; weight: number | null; error: string | null };
  services: Array<{ service: string; version: string | null; workloads: Array<{ image: string | null }> }>;
  lastOperation: Operation | null;
}

describe('region drain and restore', () => {
  let env: GateEnv;
  let hook: Server;
  let apiUrl = '';
  const restarted: Proc[] = [];
  const hookCalls: Array<{ region: string; weight: number; action: string; signed: boolean }> = [];

  beforeAll(async () => {
    process.env.TIDELINE_TEST_WEBHOOK_SECRET = SECRET;
    let sim: GateEnv['sim'] | undefined;
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'GET') return res.writeHead(404).end();
        const signed = verifySignature(
          SECRET,
          String(req.headers['x-tideline-timestamp']),
          body,
          String(req.headers['x-tideline-signature']),
          Date.now(),
        );
        const call = JSON.parse(body) as { region: string; weight: number; action: string };
        hookCalls.push({ ...call, signed });
        if (!signed) return res.writeHead(401).end('bad signature');
        if (call.region === 'ap-east') return res.writeHead(500).end('automation is broken');
        sim!.setWeight(call.region, call.weight);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/lb-automation`;
    const traffic = (provider: string, url: string) => ({
      traffic: {
        provider,
        url,
        rateQuery: REGION_RATE_QUERY,
        window: '3s',
        drainedFraction: 0.05,
        drainTimeout: '20s',
        ...(provider === 'webhook' ? { secretEnv: 'TIDELINE_TEST_WEBHOOK_SECRET' } : {}),
      },
    });
    env = await startGateEnv({
      regions: ['eu-west', 'us-east', 'ap-south', 'ap-east'],
      simulator: { lbRampMs: 1000 },
      regionExtras: (region, simUrl) =>
        region === 'eu-west'
          ? traffic('simulator', simUrl)
          : region === 'ap-south'
            ? traffic('webhook', hookUrl)
            : region === 'ap-east'
              ? { traffic: { ...traffic('webhook', hookUrl).traffic, drainTimeout: '3s' } }
              : {},
      services: [
        {
          service: 'web',
          plan: {
            defaults: { bake: '1s' },
            canary: { region: 'eu-west' },
            waves: [{ name: 'rest', regions: ['us-east', 'ap-south', 'ap-east'], maxParallel: 3 }],
          },
        },
      ],
    });
    sim = env.sim;
    apiUrl = env.api.url;
  });

  afterAll(async () => {
    await Promise.all(restarted.map((p) => p.kill()));
    await env?.close();
    await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
  });

  const api = () => apiUrl;
  const request = (region: string, kind: 'drain' | 'restore', body: unknown = { reason: `${kind} drill` }) =>
    call<{ operation: Operation; message: string; detail?: string; state?: string; errors?: Array<{ field: string }> }>(
      api(),
      'POST',
      `/v1/regions/${region}/${kind}`,
      body,
    );
  async function until(region: string, id: string, done: (o: Operation) => boolean, timeoutMs = 40_000): Promise<Operation> {
    const deadline = Date.now() + timeoutMs;
    let last: Operation | undefined;
    while (Date.now() < deadline) {
      const res = await call<Operation>(api(), 'GET', `/v1/regions/${region}/operations/${id}`).catch(() => undefined);
      if (res?.status === 200) {
        last = res.body;
        if (done(last)) return last;
      }
      await sleep(200);
    }
    throw new Error(`operation ${id} not done: ${JSON.stringify(last)}`);
  }
  const regions = async () => (await call<{ items: RegionBody[] }>(api(), 'GET', '/v1/regions')).body.items;

  it('GET /v1/regions: every region, the version each service runs there and its traffic weight', async () => {
    const items = await regions();
    expect(items.map((r) => r.name)).toEqual(['eu-west', 'us-east', 'ap-south', 'ap-east']);
    const euWest = items[0]!;
    expect(euWest.traffic).toEqual({ provider: 'simulator', weight: 100, error: null });
    expect(euWest.services).toMatchObject([
      { service: 'web', version: '1.0.0', workloads: [{ image: 'registry.example.com/shop/web:1.0.0' }] },
    ]);
    expect(items[1]!.traffic).toEqual({ provider: 'none', weight: null, error: null });
    expect(items[2]!.traffic.provider).toBe('webhook');
  });

  it('drain through the simulator LB: the rate falls to about zero, the drain time is recorded; restore brings it back', async () => {
    const before = (await env.prom.query(rateOf('eu-west')))[0]!.value;
    expect(before).toBeGreaterThan(5);
    const res = await request('eu-west', 'drain', { reason: 'drill: practise a drain' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.operation).toMatchObject({
      region: 'eu-west',
      kind: 'drain',
      state: 'pending',
      actor: ACTOR,
      reason: 'drill: practise a drain',
      targetWeight: 0,
    });
    const drained = await until('eu-west', res.body.operation.id, (o) => o.state === 'drained' && o.drain99Ms !== null);
    expect(drained.preDrainRate!).toBeGreaterThan(5);
    expect(drained.previousWeight).toBe(100);
    expect(drained.drainMs!).toBeGreaterThan(0);
    expect(drained.drain99Ms!).toBeGreaterThanOrEqual(drained.drainMs!);
    expect(drained.drain99Ms!).toBeLessThan(20_000);
    console.log(
      `eu-west drain: ${drained.drainMs} ms to 95%, ${drained.drain99Ms} ms to 99% (pre-drain ${drained.preDrainRate?.toFixed(1)} req/s)`,
    );
    expect(env.sim.weights()['eu-west']).toBe(0);
    const now = (await env.prom.query(rateOf('eu-west')))[0]?.value ?? 0;
    expect(now).toBeLessThanOrEqual(drained.preDrainRate! * 0.01);

    const again = await request('eu-west', 'drain');
    expect(again.status).toBe(409);
    expect(again.body.state).toBe('drained');
    const shown = (await regions()).find((r) => r.name === 'eu-west')!;
    expect(shown.traffic.weight).toBe(0);
    expect(shown.lastOperation).toMatchObject({ id: drained.id, state: 'drained', drainMs: drained.drainMs, drain99Ms: drained.drain99Ms });

    const restore = await request('eu-west', 'restore');
    expect(restore.status).toBe(202);
    expect(restore.body.operation.targetWeight).toBe(100);
    const restored = await until('eu-west', restore.body.operation.id, (o) => o.state === 'restored');
    expect(restored.restoreMs!).toBeGreaterThan(0);
    expect(env.sim.weights()['eu-west']).toBe(100);
    await env.prom.waitFor(rateOf('eu-west'), (s) => (s[0]?.value ?? 0) > drained.preDrainRate! * 0.8, 20_000);
  });

  it('drain and restore through a signed webhook; a webhook that keeps failing ends the operation failed', async () => {
    const res = await request('ap-south', 'drain');
    expect(res.status).toBe(202);
    const drained = await until('ap-south', res.body.operation.id, (o) => o.state === 'drained');
    expect(hookCalls.find((c) => c.region === 'ap-south')).toMatchObject({ region: 'ap-south', weight: 0, action: 'drain', signed: true });
    expect(drained.drainMs!).toBeGreaterThan(0);
    const restore = await request('ap-south', 'restore');
    await until('ap-south', restore.body.operation.id, (o) => o.state === 'restored');
    expect(hookCalls.filter((c) => c.region === 'ap-south').map((c) => c.action)).toEqual(['drain', 'restore']);

    const broken = await request('ap-east', 'drain');
    const failed = await until('ap-east', broken.body.operation.id, (o) => o.state === 'failed');
    expect(failed.note).toMatch(/answered 500/);
    expect(hookCalls.filter((c) => c.region === 'ap-east').length).toBeGreaterThanOrEqual(2); // retried
    expect(env.sim.weights()['ap-east']).toBe(100);
  });

  it('a restore supersedes a drain still under way', async () => {
    const drain = await request('eu-west', 'drain');
    await until('eu-west', drain.body.operation.id, (o) => o.state === 'draining');
    const restore = await request('eu-west', 'restore');
    expect(restore.status).toBe(202);
    expect((await until('eu-west', drain.body.operation.id, () => true)).state).toBe('superseded');
    await until('eu-west', restore.body.operation.id, (o) => o.state === 'restored');
    await until('eu-west', restore.body.operation.id, () => env.sim.weights()['eu-west'] === 100, 10_000);
  });

  it('the verification goes on while the API and then the worker are SIGKILLed', async () => {
    const res = await request('eu-west', 'drain');
    expect(res.status).toBe(202);
    await env.api.kill('SIGKILL');
    await sleep(1_500);
    await env.worker.kill('SIGKILL');
    await sleep(1_000);
    const [newApi, newWorker] = await Promise.all([startApi(env.processEnv), startWorker(env.processEnv)]);
    restarted.push(newApi, newWorker);
    apiUrl = newApi.url;
    const drained = await until('eu-west', res.body.operation.id, (o) => o.state === 'drained');
    expect(drained.drainMs!).toBeGreaterThan(0);
    const restore = await request('eu-west', 'restore');
    await until('eu-west', restore.body.operation.id, (o) => o.state === 'restored');
  });

  it('refuses what makes no sense: no provider (409), unknown region (404), bad names and bodies (400 naming the field)', async () => {
    const none = await request('us-east', 'drain');
    expect(none.status).toBe(409);
    expect(none.body.detail).toMatch(/traffic provider none/);
    expect((await request('nowhere', 'drain')).status).toBe(404);
    const badName = await request('EU_WEST', 'drain');
    expect(badName.status).toBe(400);
    expect(badName.body.errors!.map((e) => e.field)).toEqual(['region']);
    const badBody = await request('eu-west', 'restore', { reason: '', weight: 3 });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors!.map((e) => e.field).sort()).toEqual(['reason', 'weight']);
    const badOp = await call<{ errors: Array<{ field: string }> }>(api(), 'GET', '/v1/regions/eu-west/operations/42');
    expect(badOp.status).toBe(400);
    expect(badOp.body.errors.map((e) => e.field)).toEqual(['operationId']);
    expect((await call(api(), 'GET', '/v1/regions/eu-west/operations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
