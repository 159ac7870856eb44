/**
 * End to end: API + worker processes, real Postgres and Redis, the region simulator over
 * HTTP through @kubernetes/client-node. A canary and two waves of three regions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { call, TERMINAL, waitForRelease, type ReleaseBody } from '../support/api-client.js';
import { writeConfig } from '../support/config-fixture.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

const WAVE1 = ['eu-west', 'eu-central', 'eu-north'];
const WAVE2 = ['ap-south', 'ap-east', 'ap-north'];
const ALL = ['us-west', ...WAVE1, ...WAVE2];
const image = (v: string) => `registry.example.com/shop/checkout:${v}`;

describe('release engine end to end', () => {
  let sim: RunningSimulator;
  let db: TestDatabase;
  let api: Proc & { url: string };
  let worker: Proc;

  beforeAll(async () => {
    sim = await startSimulator({ regions: ALL, stepMs: 20, progressDeadlineSeconds: 2 });
    db = await createTestDatabase();
    const configDir = writeConfig({
      simulatorUrl: sim.url,
      canary: 'us-west',
      waves: [
        { name: 'wave-1', regions: WAVE1, maxParallel: 3 },
        { name: 'wave-2', regions: WAVE2, maxParallel: 2 },
      ],
      bake: '300ms',
      progressDeadline: '3s',
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

  const post = (version: string, releaseNumber: number) =>
    call<ReleaseBody>(api.url, 'POST', '/v1/releases', { service: 'checkout', version, image: image(version), releaseNumber });

  it('rolls a release out canary → wave 1 → wave 2 and every region runs it with the release labels', async () => {
    const created = await post('2.0.0', 1);
    expect(created.status).toBe(201);
    const done = await waitForRelease(api.url, created.body.id, (r) => TERMINAL.includes(r.state));
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    expect(done.stages.map((s) => s.name)).toEqual(['canary', 'wave-1', 'wave-2']);
    expect(done.stages.flatMap((s) => s.regions.map((r) => r.state))).toEqual(Array(7).fill('verified'));

    for (const region of ALL) {
      const d = sim.readDeployment(region, 'shop', 'checkout') as {
        metadata: { labels: Record<string, string> };
        spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ image: string }> } } };
      };
      expect(d.spec.template.spec.containers[0]!.image).toBe(image('2.0.0'));
      for (const labels of [d.metadata.labels, d.spec.template.metadata.labels]) {
        expect(labels['app.kubernetes.io/version']).toBe('2.0.0');
        expect(labels['tideline.io/release']).toBe(created.body.id);
        expect(labels['tideline.io/release-number']).toBe('1');
      }
    }

    // Waves in order: no wave-2 region was patched before every wave-1 region was verified.
    const events = await call<{ items: Array<{ type: string; region: string | null; at: string }> }>(
      api.url,
      'GET',
      `/v1/releases/${created.body.id}/events`,
    );
    const at = (type: string, region: string) => events.body.items.find((e) => e.type === type && e.region === region)!.at;
    const lastWave1Verified = Math.max(...WAVE1.map((r) => Date.parse(at('region.verified', r))));
    const firstWave2Patch = Math.min(...WAVE2.map((r) => Date.parse(at('region.patched', r))));
    expect(firstWave2Patch).toBeGreaterThanOrEqual(lastWave1Verified);
    expect(Date.parse(at('region.patched', 'eu-west'))).toBeGreaterThanOrEqual(Date.parse(at('region.verified', 'us-west')));
    expect(events.body.items.at(-1)!.type).toBe('release.succeeded');
  });

  it('rolls every touched region back to exactly what ran before when a wave-2 region never becomes ready', async () => {
    const before = Object.fromEntries(ALL.map((r) => [r, sim.readDeployment(r, 'shop', 'checkout')]));
    const patchesBefore = sim.patchLog().length;
    sim.markBadImage(image('2.1.0'), ['ap-north']);
    sim.markBadImage(image('2.1.0'), ['ap-east']);
    const created = await post('2.1.0', 2);
    expect(created.status).toBe(201);
    const done = await waitForRelease(api.url, created.body.id, (r) => TERMINAL.includes(r.state));
    expect(done.state, JSON.stringify(done)).toBe('rolled_back');
    expect(done.stateReason).toMatch(/ap-east failed: .*(progress deadline|did not complete)/);

    const states = Object.fromEntries(done.stages.flatMap((s) => s.regions.map((r) => [r.region, r.state])));
    // wave-2 runs two at a time in name order: ap-east (bad) and ap-north (bad) started, ap-south never did.
    expect(states['ap-south']).toBe('skipped');
    for (const r of ALL.filter((x) => x !== 'ap-south')) expect(states[r], r).toBe('rolled_back');

    for (const region of ALL) {
      const now = sim.readDeployment(region, 'shop', 'checkout') as { metadata: { labels: unknown }; spec: { template: unknown } };
      const was = before[region] as { metadata: { labels: unknown }; spec: { template: unknown } };
      expect(now.spec.template, region).toEqual(was.spec.template);
      expect(now.metadata.labels, region).toEqual(was.metadata.labels);
    }
    const newPatches = sim.patchLog().slice(patchesBefore);
    expect(newPatches.filter((p) => p.region === 'ap-south')).toEqual([]);
    expect(new Set(newPatches.map((p) => p.region))).toEqual(new Set(ALL.filter((x) => x !== 'ap-south')));
  });

  it('queues a second release behind the active one and starts it when the first ends; lists by service and state', async () => {
    const first = await post('2.2.0', 3);
    const second = await post('2.3.0', 4);
    expect(first.body.state).toBe('running');
    expect(second.body.state).toBe('queued');
    const queued = await call<{ items: Array<{ id: string }>; total: number }>(
      api.url,
      'GET',
      '/v1/releases?service=checkout&state=queued',
    );
    expect(queued.body.items.map((r) => r.id)).toEqual([second.body.id]);

    const a = await waitForRelease(api.url, first.body.id, (r) => TERMINAL.includes(r.state));
    const b = await waitForRelease(api.url, second.body.id, (r) => TERMINAL.includes(r.state));
    expect([a.state, b.state]).toEqual(['succeeded', 'succeeded']);
    const full = await call<{ id: string; startedAt: string; endedAt: string }>(api.url, 'GET', `/v1/releases/${second.body.id}`);
    const prev = await call<{ endedAt: string }>(api.url, 'GET', `/v1/releases/${first.body.id}`);
    expect(Date.parse(full.body.startedAt)).toBeGreaterThanOrEqual(Date.parse(prev.body.endedAt));
    expect(sim.deployment('ap-south', 'shop', 'checkout')!.images.checkout).toBe(image('2.3.0'));

    const page = await call<{ items: Array<{ releaseNumber: number }>; total: number; limit: number }>(
      api.url,
      'GET',
      '/v1/releases?service=checkout&limit=2&offset=0',
    );
    expect(page.body.total).toBe(4);
    expect(page.body.items.map((r) => r.releaseNumber)).toEqual([4, 3]);
  });
});
