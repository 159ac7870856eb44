/**
 * Durability: SIGKILL worker processes at random moments during releases (two workers run
 * at once; one is killed and replaced each time) and check that each release still ends
 * the right way and that no region was ever patched twice to a different effect for the
 * same intent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { call, TERMINAL, type ReleaseBody } from '../support/api-client.js';
import { writeConfig } from '../support/config-fixture.js';
import { spawnWorker, startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

const WAVE1 = ['eu-west', 'eu-central', 'eu-north'];
const WAVE2 = ['ap-south', 'ap-east', 'ap-north'];
const ALL = ['us-west', ...WAVE1, ...WAVE2];
const image = (v: string) => `registry.example.com/shop/checkout:${v}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker SIGKILL during releases', () => {
  let sim: RunningSimulator;
  let db: TestDatabase;
  let api: Proc & { url: string };
  let env: NodeJS.ProcessEnv;
  const workers: Proc[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ regions: ALL, stepMs: 60, progressDeadlineSeconds: 3 });
    db = await createTestDatabase();
    const configDir = writeConfig({
      simulatorUrl: sim.url,
      canary: 'us-west',
      waves: [
        { name: 'wave-1', regions: WAVE1, maxParallel: 2 },
        { name: 'wave-2', regions: WAVE2, maxParallel: 3 },
      ],
      bake: '2s',
      progressDeadline: '6s',
      pollInterval: '100ms',
    });
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: configDir,
      TIDELINE_JOB_LOCK_MS: '1500',
      LOG_LEVEL: 'info',
    };
    api = await startApi(env);
    workers.push(await startWorker(env), await startWorker(env));
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await api?.kill();
    await db?.drop();
    await sim?.close();
  });

  /**
   * Kill a random worker every 150–650 ms (running or still starting) and spawn a new one,
   * until `minKills` kills are done; then let the release end with healthy workers.
   */
  async function runWithKills(id: string, minKills: number): Promise<{ release: ReleaseBody; kills: number }> {
    let kills = 0;
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const r = await call<ReleaseBody>(api.url, 'GET', `/v1/releases/${id}`);
      if (TERMINAL.includes(r.body.state)) return { release: r.body, kills };
      if (kills < minKills) {
        await sleep(150 + Math.floor(Math.random() * 500));
        const i = Math.floor(Math.random() * workers.length);
        await workers[i]!.kill('SIGKILL');
        kills++;
        workers[i] = spawnWorker(env);
      } else {
        await sleep(200);
      }
    }
    throw new Error(`release ${id} did not end after ${kills} kills`);
  }

  /**
   * Per region, the effects (image + release label) of its patches, consecutive repeats
   * collapsed: repeating the same intent is fine, a different effect for it is not.
   */
  function effectsSince(seq: number): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const p of sim.patchLog().filter((x) => x.seq > seq && x.rejected === undefined && x.fault === undefined)) {
      const effect = `${p.images.checkout}|${p.labels['tideline.io/release'] ?? '-'}`;
      const list = out.get(p.region) ?? [];
      if (list.at(-1) !== effect) list.push(effect);
      out.set(p.region, list);
    }
    return out;
  }

  it('a release killed ≥10 times still succeeds, every region patched once per intent', async () => {
    const startSeq = sim.patchLog().at(-1)?.seq ?? 0;
    const created = await call<ReleaseBody>(api.url, 'POST', '/v1/releases', {
      service: 'checkout',
      version: '3.0.0',
      image: image('3.0.0'),
      releaseNumber: 30,
    });
    expect(created.status).toBe(201);
    // every kill happens while the release is still going (the loop checks before each one)
    const { release, kills } = await runWithKills(created.body.id, 12);
    expect(kills).toBeGreaterThanOrEqual(12);
    expect(release.state, JSON.stringify(release)).toBe('succeeded');
    const effects = effectsSince(startSeq);
    for (const region of ALL) {
      expect(effects.get(region), region).toEqual([`${image('3.0.0')}|${created.body.id}`]);
      expect(sim.deployment(region, 'shop', 'checkout')!.images.checkout).toBe(image('3.0.0'));
    }
  });

  it('a failing release killed ≥10 times is rolled back exactly once per region, to what ran before', async () => {
    const startSeq = sim.patchLog().at(-1)?.seq ?? 0;
    const before = Object.fromEntries(ALL.map((r) => [r, sim.readDeployment(r, 'shop', 'checkout')]));
    const previousRelease = (before['us-west'] as { metadata: { labels: Record<string, string> } }).metadata.labels['tideline.io/release'];
    sim.markBadImage(image('3.1.0'), ['ap-east']);
    const created = await call<ReleaseBody>(api.url, 'POST', '/v1/releases', {
      service: 'checkout',
      version: '3.1.0',
      image: image('3.1.0'),
      releaseNumber: 31,
    });
    // every kill happens while the release is still going (the loop checks before each one)
    const { release, kills } = await runWithKills(created.body.id, 12);
    expect(kills).toBeGreaterThanOrEqual(12);
    expect(release.state, JSON.stringify(release)).toBe('rolled_back');
    const effects = effectsSince(startSeq);
    for (const region of ALL) {
      expect(effects.get(region), region).toEqual([`${image('3.1.0')}|${created.body.id}`, `${image('3.0.0')}|${previousRelease}`]);
      const now = sim.readDeployment(region, 'shop', 'checkout') as { spec: { template: unknown }; metadata: { labels: unknown } };
      const was = before[region] as { spec: { template: unknown }; metadata: { labels: unknown } };
      expect(now.spec.template, region).toEqual(was.spec.template);
      expect(now.metadata.labels, region).toEqual(was.metadata.labels);
    }
  });
});
