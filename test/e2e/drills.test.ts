/**
 * Drills end to end: API + worker processes, the simulator's load balancer and a real
 * Prometheus. A drain drill's time to 99% drained is recorded and traffic restored; a drill cut
 * short by its maximum duration is undone; a worker SIGKILLed mid-drill: another worker finishes
 * and undoes it; a rollback drill rolls back and forward (record → commit → patch); refusals
 * during an active release, on a drained region, and on bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api-client.js';
import { image, REGION_RATE_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';
import { startWorker, type Proc } from '../support/processes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
interface Drill {
  id: string;
  kind: string;
  region: string;
  state: string;
  phase: string;
  firstMs: number | null;
  secondMs: number | null;
  goalMs: number;
  metGoal: boolean | null;
  undone: boolean;
  note: string | null;
  targetVersion: string | null;
  events: Array<{ type: string; actor: string; reason: string | null; data: Record<string, unknown> | null }>;
}

describe('drills', () => {
  let env: GateEnv;
  const extra: Proc[] = [];

  beforeAll(async () => {
    env = await startGateEnv({
      regions: ['eu-west', 'us-east', 'ap-south'],
      simulator: { lbRampMs: 1500 },
      regionExtras: (region, simUrl) =>
        region === 'ap-south'
          ? {}
          : {
              traffic: {
                provider: 'simulator',
                url: simUrl,
                rateQuery: REGION_RATE_QUERY,
                window: '3s',
                drainedFraction: 0.05,
                drainTimeout: '30s',
              },
            },
      services: [
        {
          service: 'web',
          plan: {
            defaults: { bake: '1s' },
            canary: { region: 'eu-west' },
            waves: [{ name: 'rest', regions: ['us-east', 'ap-south'], maxParallel: 2 }],
          },
        },
        { service: 'slow', plan: { defaults: { bake: '1h' }, canary: { region: 'us-east' } } },
      ],
    });
  });

  afterAll(async () => {
    await Promise.all(extra.map((p) => p.kill()));
    await env?.close();
  });

  const start = (body: Record<string, unknown>) =>
    call<{ drill: Drill; message: string; detail?: string; state?: string; errors?: Array<{ field: string; message: string }> }>(
      env.api.url,
      'POST',
      '/v1/drills',
      body,
    );
  async function until(id: string, done: (d: Drill) => boolean, timeoutMs = 60_000): Promise<Drill> {
    const deadline = Date.now() + timeoutMs;
    let last: Drill | undefined;
    while (Date.now() < deadline) {
      const res = await call<Drill>(env.api.url, 'GET', `/v1/drills/${id}`).catch(() => undefined);
      if (res?.status === 200) {
        last = res.body;
        if (done(last)) return last;
      }
      await sleep(200);
    }
    throw new Error(`drill ${id} not done: ${JSON.stringify(last)}`);
  }
  /** The load balancer ramps weights: a restored region reaches 100 shortly after the restore is verified. */
  async function weightBack(region: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (env.sim.weights()[region] !== 100 && Date.now() < deadline) await sleep(100);
    expect(env.sim.weights()[region]).toBe(100);
  }
  const ended = (d: Drill) => ['succeeded', 'failed', 'aborted'].includes(d.state);

  it('a drain drill: drained through the load balancer, drain99 recorded against its goal, traffic restored', async () => {
    const res = await start({ kind: 'drain', region: 'eu-west', goal: '10m', reason: 'weekly practice' });
    expect(res.status).toBe(202);
    const drill = await until(res.body.drill.id, ended);
    expect(drill.state).toBe('succeeded');
    expect(drill.firstMs).toBeGreaterThan(0);
    expect(drill.firstMs!).toBeLessThan(30_000);
    expect(drill.secondMs).toBeGreaterThan(0);
    expect(drill).toMatchObject({ goalMs: 600_000, metGoal: true, undone: false });
    await weightBack('eu-west');
    expect(drill.events.map((e) => e.type)).toEqual([
      'drill.started',
      'drill.draining',
      'drill.drained',
      'drill.restoring',
      'drill.succeeded',
    ]);
    expect(new Set(drill.events.map((e) => e.actor))).toEqual(new Set([drill.events[0]!.actor]));
    // the region operations it ran are in the audit trail, by the same actor
    const audit = await call<{ items: Array<{ type: string; actor: string; reason: string | null }> }>(
      env.api.url,
      'GET',
      '/v1/audit?region=eu-west',
    );
    expect(
      audit.body.items
        .filter((a) => a.reason?.startsWith(`drill ${drill.id}`))
        .map((a) => a.type)
        .sort(),
    ).toEqual(['region.drain', 'region.restore']);
    const drillAudit = await call<{ items: Array<{ type: string; actor: string; reason: string | null; data: { drillId?: string } }> }>(
      env.api.url,
      'GET',
      '/v1/audit?type=drill.started&region=eu-west',
    );
    expect(drillAudit.body.items.find((a) => a.data.drillId === drill.id)).toMatchObject({
      type: 'drill.started',
      actor: drill.events[0]!.actor,
      reason: 'weekly practice',
    });
    // the trend per region and kind
    const list = await call<{
      items: Drill[];
      trend: Array<{ region: string; kind: string; runs: number; metGoal: number; latestMs: number }>;
    }>(env.api.url, 'GET', '/v1/drills?region=eu-west');
    expect(list.body.trend).toEqual([
      expect.objectContaining({ region: 'eu-west', kind: 'drain', runs: 1, metGoal: 1, latestMs: drill.firstMs }),
    ]);
    console.log(`drain drill eu-west: drain99 ${drill.firstMs} ms, restore ${drill.secondMs} ms (goal 10m)`);
  });

  it('a drill past its maximum duration is undone: traffic restored, the drill aborted', async () => {
    const res = await start({ kind: 'drain', region: 'eu-west', goal: '1s', maxDuration: '1s', reason: 'too short on purpose' });
    expect(res.status).toBe(202);
    const drill = await until(res.body.drill.id, ended);
    expect(drill).toMatchObject({ state: 'aborted', undone: true, metGoal: false });
    expect(drill.events.map((e) => e.type)).toContain('drill.undoing');
    await weightBack('eu-west');
  });

  it('a worker SIGKILLed mid-drill: another worker finishes it and the traffic comes back', async () => {
    const res = await start({ kind: 'drain', region: 'us-east', goal: '10m', reason: 'practice with a crash' });
    expect(res.status).toBe(202);
    await until(res.body.drill.id, (d) => d.phase === 'draining' && env.sim.weights()['us-east'] === 0, 20_000);
    await env.worker.kill('SIGKILL'); // mid-drain: the weight is 0 and nobody is left to restore it
    await sleep(1_000);
    extra.push(await startWorker(env.processEnv));
    const drill = await until(res.body.drill.id, ended, 90_000);
    expect(drill.state).toBe('succeeded');
    expect(drill.firstMs).toBeGreaterThan(0);
    await weightBack('us-east');
  });

  it('a rollback drill: back to the previous version and forward again, both timed', async () => {
    const release = await env.create('web', '1.1.0', 1);
    expect((await env.waitFor(release.id, (r) => r.state === 'succeeded', 90_000)).state).toBe('succeeded');
    const before = env.sim.patchLog({ region: 'us-east', name: 'web' }).length;
    const res = await start({ kind: 'rollback', region: 'us-east', service: 'web', goal: '5m', reason: 'rollback practice' });
    expect(res.status).toBe(202);
    const drill = await until(res.body.drill.id, ended);
    expect(drill).toMatchObject({ state: 'succeeded', metGoal: true, targetVersion: image('web', '1.0.0') });
    expect(drill.firstMs).toBeGreaterThan(0);
    expect(drill.secondMs).toBeGreaterThan(0);
    expect(drill.events.map((e) => e.type)).toEqual([
      'drill.started',
      'drill.recorded',
      'drill.rollback_patched',
      'drill.rolled_back',
      'drill.forward_patched',
      'drill.succeeded',
    ]);
    expect(drill.events[1]!.data).toMatchObject({ images: [image('web', '1.1.0')] });
    // exactly two patches: back to 1.0.0, forward to 1.1.0; the region runs 1.1.0 again
    const patches = env.sim.patchLog({ region: 'us-east', name: 'web' }).slice(before);
    expect(patches.map((p) => JSON.stringify(p.body).match(/shop\/web:[\d.]+/)?.[0])).toEqual(['shop/web:1.0.0', 'shop/web:1.1.0']);
    expect(env.sim.deployment('us-east', 'shop', 'web')?.images.web).toBe(image('web', '1.1.0'));
    console.log(`rollback drill us-east: rollback ${drill.firstMs} ms, forward ${drill.secondMs} ms (goal 5m)`);
  });

  it('refused while a release of the service is active, while the region is drained, and on bad input', async () => {
    const slow = await env.create('slow', '2.0.0', 1);
    await env.waitFor(slow.id, (r) => r.stages[0]!.regions[0]!.state === 'baking');
    const during = await start({ kind: 'rollback', region: 'us-east', service: 'slow', goal: '5m', reason: 'not now' });
    expect(during.status).toBe(409);
    expect(during.body.detail).toContain(`release ${slow.id} of slow is running`);
    const anyRelease = await start({ kind: 'drain', region: 'us-east', goal: '10m', reason: 'not now either' });
    expect(anyRelease.status).toBe(409);
    expect((await call(env.api.url, 'POST', `/v1/releases/${slow.id}/rollback`, { reason: 'test done' })).status).toBe(200);

    const drain = await call<{ operation: { id: string } }>(env.api.url, 'POST', '/v1/regions/eu-west/drain', { reason: 'maintenance' });
    expect(drain.status).toBe(202);
    const drained = await start({ kind: 'drain', region: 'eu-west', goal: '10m', reason: 'while drained' });
    expect(drained.status).toBe(409);
    expect(drained.body.detail).toMatch(/eu-west is drained or being drained/);
    expect((await call(env.api.url, 'POST', '/v1/regions/eu-west/restore', { reason: 'maintenance done' })).status).toBe(202);

    expect((await start({ kind: 'drain', region: 'ap-south', goal: '10m', reason: 'no provider' })).status).toBe(409);
    const notThere = await start({
      kind: 'rollback',
      region: 'ap-south',
      service: 'slow',
      goal: '5m',
      reason: 'its plan never goes there',
    });
    expect(notThere.status).toBe(400);
    expect(notThere.body.errors).toEqual([{ field: 'service', message: 'service "slow" has no workload in region ap-south' }]);
    await env.waitFor(slow.id, (r) => r.state === 'rolled_back');
    const noHistory = await start({ kind: 'rollback', region: 'us-east', service: 'slow', goal: '5m', reason: 'never succeeded there' });
    expect(noHistory.status).toBe(409);
    expect(noHistory.body.detail).toBe('no previous version of slow is known in us-east: no succeeded release recorded what ran before it');
    const bad = await start({ kind: 'fire', region: 'EU', goal: 'soon', reason: '', extra: true });
    expect(bad.status).toBe(400);
    expect(bad.body.errors!.map((e) => e.field).sort()).toEqual(['extra', 'goal', 'kind', 'reason', 'region']);
    const noService = await start({ kind: 'rollback', region: 'us-east', goal: '5m', reason: 'which service?' });
    expect(noService.status).toBe(400);
    expect(noService.body.errors).toEqual([{ field: 'service', message: 'is required for a rollback drill' }]);
    expect((await call(env.api.url, 'GET', '/v1/drills/42')).status).toBe(400);
    expect((await call(env.api.url, 'GET', '/v1/drills/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('a release waits while a drill runs in one of its regions, then goes on', async () => {
    // the test before drained and restored eu-west: start once that restore has finished
    await weightBack('eu-west');
    let res = await start({ kind: 'drain', region: 'eu-west', goal: '10m', reason: 'practice before a release' });
    for (let i = 0; res.status === 409 && /drained or being drained/.test(res.body.detail ?? '') && i < 50; i++) {
      await sleep(200);
      res = await start({ kind: 'drain', region: 'eu-west', goal: '10m', reason: 'practice before a release' });
    }
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    // the release comes once the drill has begun draining (a release created before the drill's first
    // step stops the drill instead: "became running before the drill changed anything")
    await until(res.body.drill.id, (d) => d.phase !== 'drain' || ended(d), 20_000);
    const release = await env.create('web', '1.2.0', 2);
    const canary = (r: Awaited<ReturnType<GateEnv['waitFor']>>) =>
      r.stages[0]!.regions[0]! as { region: string; state: string; blockedReason?: string | null };
    const blocked = await env.waitFor(release.id, (r) => /drill/.test(canary(r).blockedReason ?? ''), 30_000);
    expect(canary(blocked)).toMatchObject({ region: 'eu-west', state: 'pending' });
    expect(canary(blocked).blockedReason).toContain(`drain drill (${res.body.drill.id}) is in progress in eu-west`);
    const drill = await until(res.body.drill.id, ended);
    expect(drill.state).toBe('succeeded');
    // the drill restored the region before the release touched it: no patch of web in eu-west while it ran
    expect((await env.waitFor(release.id, (r) => r.state === 'succeeded', 90_000)).state).toBe('succeeded');
  });
});
