/**
 * Operator actions with the engine running (API + worker + simulator): a stage waits for its
 * approval and goes on when approved; promote cuts a long bake short; retry deploys a failed
 * region again; pause holds (no new region is touched, the bake clock stops, resume gives back
 * the remaining time) and a rollout that fails while paused still triggers the failure policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { call, TERMINAL, waitForRelease, type ReleaseBody } from '../support/api-client.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { writeServicesConfig } from './multi-service-config.js';
import { ACTOR } from './actor.js';

const REGIONS = ['c1', 'r1', 'r2'];
const image = (service: string, v: string) => `registry.example.com/shop/${service}:${v}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stateOf = (r: ReleaseBody, region: string) => r.stages.flatMap((s) => s.regions).find((x) => x.region === region)!.state;

describe('operator actions with the engine', () => {
  let sim: RunningSimulator;
  let db: TestDatabase;
  let api: Proc & { url: string };
  let worker: Proc;
  const services = ['gated', 'slow', 'flaky', 'held', 'stall', 'careful'];

  beforeAll(async () => {
    sim = await startSimulator({
      regions: REGIONS,
      stepMs: 30,
      progressDeadlineSeconds: 3,
      deployments: services.map((s) => ({ namespace: 'shop', name: s, container: s, image: image(s, '1.0.0') })),
    });
    db = await createTestDatabase();
    const wave = { name: 'wave-1', regions: ['r1', 'r2'], maxParallel: 2, bake: '300ms' };
    const configDir = writeServicesConfig(sim.url, REGIONS, {
      gated: { defaults: { bake: '300ms', progressDeadline: '3s' }, canary: { region: 'c1' }, waves: [{ ...wave, approval: 'required' }] },
      slow: { defaults: { bake: '10m', progressDeadline: '3s' }, canary: { region: 'c1' }, waves: [wave] },
      flaky: { defaults: { bake: '300ms', progressDeadline: '3s', onFailure: 'pause' }, canary: { region: 'c1' }, waves: [wave] },
      held: { defaults: { bake: '3s', progressDeadline: '3s' }, canary: { region: 'c1' }, waves: [wave] },
      stall: { defaults: { bake: '300ms', progressDeadline: '3s' }, canary: { region: 'c1' }, waves: [{ ...wave, maxParallel: 1 }] },
      careful: { defaults: { bake: '300ms', progressDeadline: '3s', approval: 'required' }, canary: { region: 'c1' }, waves: [wave] },
    });
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: configDir,
      LOG_LEVEL: 'info',
    };
    api = await startApi(env);
    worker = await startWorker(env);
  });

  afterAll(async () => {
    await worker?.kill();
    await api?.kill();
    await db?.drop();
    await sim?.close();
  });

  const create = async (service: string, version: string) => {
    const res = await call<ReleaseBody>(api.url, 'POST', '/v1/releases', {
      service,
      version,
      image: image(service, version),
      releaseNumber: 1,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  };
  const act = (id: string, action: string, body: unknown = {}) =>
    call<{ release: ReleaseBody; message: string }>(api.url, 'POST', `/v1/releases/${id}/${action}`, body);
  const wait = (id: string, done: (r: ReleaseBody) => boolean, ms = 30_000) => waitForRelease(api.url, id, done, ms);
  const patched = (service: string, region: string) =>
    sim.patchLog({ region, name: service }).filter((p) => p.rejected === undefined && p.fault === undefined).length;

  it('a wave with approval: required waits until approved, then goes on; the approval names who and why', async () => {
    const id = await create('gated', '2.0.0');
    await wait(id, (r) => r.state === 'awaiting_approval');
    await sleep(1_000);
    const still = await wait(id, () => true);
    expect(still.state).toBe('awaiting_approval');
    expect(still.stateReason).toBe('stage wave-1 requires approval');
    expect(patched('gated', 'r1') + patched('gated', 'r2')).toBe(0);
    const approved = await act(id, 'approve', { reason: 'CAB approved' });
    expect(approved.status).toBe(200);
    const done = await wait(id, (r) => TERMINAL.includes(r.state));
    expect(done.state).toBe('succeeded');
    const events = (
      await call<{ items: Array<{ type: string; actor: string; reason: string | null }> }>(api.url, 'GET', `/v1/releases/${id}/events`)
    ).body.items;
    expect(events.find((e) => e.type === 'release.approved')).toMatchObject({ actor: ACTOR, reason: 'CAB approved' });
  });

  it('a canary that needs approval waits before touching anything; every stage is approved in turn', async () => {
    const id = await create('careful', '2.0.0');
    const waiting = await wait(id, (r) => r.state === 'awaiting_approval');
    expect(waiting.stateReason).toBe('stage canary requires approval');
    await sleep(500);
    expect(patched('careful', 'c1')).toBe(0);
    expect((await act(id, 'approve', { reason: 'go canary' })).status).toBe(200);
    const second = await wait(id, (r) => r.state === 'awaiting_approval' && stateOf(r, 'c1') === 'verified');
    expect(second.stateReason).toBe('stage wave-1 requires approval');
    expect(patched('careful', 'c1')).toBe(1);
    expect((await act(id, 'approve', { reason: 'go wave-1' })).status).toBe(200);
    expect((await wait(id, (r) => TERMINAL.includes(r.state))).state).toBe('succeeded');
  });

  it('promote ends a 10-minute bake now: the canary is verified and the release succeeds', async () => {
    const id = await create('slow', '2.0.0');
    await wait(id, (r) => stateOf(r, 'c1') === 'baking');
    const started = Date.now();
    const res = await act(id, 'promote', { reason: 'urgent fix, canary metrics clean' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // wave-1 bakes 10m too: promote it as well once it bakes
    await wait(id, (r) => stateOf(r, 'r1') === 'baking' && stateOf(r, 'r2') === 'baking');
    expect((await act(id, 'promote', { reason: 'wave-1 too' })).status).toBe(200);
    const done = await wait(id, (r) => TERMINAL.includes(r.state));
    expect(done.state).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('retry deploys a failed region of a paused release again and the release succeeds', async () => {
    sim.injectHttpFault({ region: 'r1', method: 'PATCH', status: 403, count: 1 });
    const id = await create('flaky', '2.0.0');
    const paused = await wait(id, (r) => r.state === 'paused' || TERMINAL.includes(r.state));
    expect(paused.state, JSON.stringify(paused)).toBe('paused');
    expect(stateOf(paused, 'r1')).toBe('failed');
    const res = await act(id, 'retry', { region: 'r1', reason: 'RBAC fixed' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const done = await wait(id, (r) => TERMINAL.includes(r.state));
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    expect(sim.deployment('r1', 'shop', 'flaky')!.images.flaky).toBe(image('flaky', '2.0.0'));
  });

  it('pause holds: no new region is touched and the bake clock stops; resume continues the remaining time', async () => {
    const id = await create('held', '2.0.0');
    await wait(id, (r) => stateOf(r, 'c1') === 'baking');
    await sleep(1_000);
    const pausedAt = Date.now();
    expect((await act(id, 'pause', { reason: 'looking at a graph' })).status).toBe(200);
    const bakeEnd = async () =>
      Date.parse(
        (await call<{ stages: Array<{ regions: Array<{ bakeEndsAt: string }> }> }>(api.url, 'GET', `/v1/releases/${id}`)).body.stages[0]!
          .regions[0]!.bakeEndsAt,
      );
    const remaining = (await bakeEnd()) - pausedAt;
    expect(remaining).toBeGreaterThan(500);
    await sleep(4_000); // longer than the whole bake
    const held = await wait(id, () => true);
    expect(held.state).toBe('paused');
    expect(stateOf(held, 'c1')).toBe('baking');
    expect(patched('held', 'r1') + patched('held', 'r2')).toBe(0);
    const resumedAt = Date.now();
    expect((await act(id, 'resume')).status).toBe(200);
    expect((await bakeEnd()) - resumedAt).toBeGreaterThan(remaining - 300);
    const verified = await wait(id, (r) => stateOf(r, 'c1') === 'verified');
    expect(Date.now() - resumedAt).toBeGreaterThanOrEqual(remaining - 300);
    expect(verified.state).toBe('running');
    expect((await wait(id, (r) => TERMINAL.includes(r.state))).state).toBe('succeeded');
  });

  it('a rollout that fails while the release is paused still triggers the failure policy', async () => {
    sim.markBadImage(image('stall', '2.0.0'), ['r1']);
    try {
      const id = await create('stall', '2.0.0');
      await wait(id, (r) => stateOf(r, 'r1') === 'deploying');
      expect((await act(id, 'pause', { reason: 'hold on' })).status).toBe(200);
      const done = await wait(id, (r) => TERMINAL.includes(r.state));
      expect(done.state, JSON.stringify(done)).toBe('rolled_back');
      expect(done.stateReason).toMatch(/r1 failed/);
      expect(stateOf(done, 'r2')).toBe('skipped');
    } finally {
      sim.clearBadImages();
    }
  });
});
