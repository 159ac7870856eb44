/**
 * A Redis that restarts without persistence mid-release (issue 15 B): the ticks and the
 * sweeper's schedule are gone, and the worker must notice and restore both from Postgres
 * within a sweep interval. Runs against a private redis-server (own-redis.ts).
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { QUEUES } from '#application';
import { redisConnection } from '#integrations';
import { call, TERMINAL, waitForRelease, type ReleaseBody } from '../support/api-client.js';
import { writeConfig } from '../support/config-fixture.js';
import { startOwnRedis, type OwnRedis } from '../support/own-redis.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/services.js';

const stateOf = (r: ReleaseBody, region: string) => r.stages.flatMap((s) => s.regions).find((x) => x.region === region)?.state;

describe('Redis restarted empty mid-release', () => {
  let sim: RunningSimulator;
  let db: TestDatabase;
  let redis: OwnRedis;
  let api: Proc & { url: string };
  let worker: Proc;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    redis = await startOwnRedis();
    sim = await startSimulator({ regions: ['c1', 'r1', 'r2'], stepMs: 20 });
    db = await createTestDatabase();
    const configDir = writeConfig({
      simulatorUrl: sim.url,
      canary: 'c1',
      waves: [{ name: 'wave-1', regions: ['r1', 'r2'], maxParallel: 2 }],
      bake: '3s',
    });
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: configDir,
      LOG_LEVEL: 'info',
      TIDELINE_JOB_LOCK_MS: '1500',
    };
    api = await startApi(env);
    worker = await startWorker(env);
  });

  afterAll(async () => {
    await worker?.kill();
    await api?.kill();
    await db?.drop();
    await sim?.close();
    await redis?.close();
  });

  it('the worker restores the sweeper schedule and the lost ticks, and the release finishes', { timeout: 120_000 }, async () => {
    const created = await call<ReleaseBody>(api.url, 'POST', '/v1/releases', {
      service: 'checkout',
      version: '7.1.0',
      image: 'registry.example.com/shop/checkout:7.1.0',
      releaseNumber: 1,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitForRelease(api.url, id, (r) => stateOf(r, 'c1') === 'baking', 30_000);

    // Redis dies and comes back empty, twice: once mid-bake, once during the wave.
    await redis.restart(1_000);
    const restartedAt = Date.now();
    const afterFirst = await waitForRelease(api.url, id, (r) => stateOf(r, 'c1') === 'verified' || TERMINAL.includes(r.state), 30_000);
    expect(stateOf(afterFirst, 'c1')).toBe('verified');
    // bake 3s + one sweep interval (2s) + slack for a loaded machine
    expect(Date.now() - restartedAt).toBeLessThan(20_000);

    await waitForRelease(
      api.url,
      id,
      (r) => ['deploying', 'baking'].includes(stateOf(r, 'r1') ?? '') || TERMINAL.includes(r.state),
      30_000,
    );
    await redis.restart(0);
    const done = await waitForRelease(api.url, id, (r) => TERMINAL.includes(r.state), 45_000);
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    expect(worker.output()).toContain('restoring schedules and ticks from Postgres');

    const queue = new Queue(QUEUES.releases, { connection: redisConnection(redis.url), prefix: env['TIDELINE_QUEUE_PREFIX'] });
    try {
      expect(await queue.getJobScheduler('release-sweeper')).toBeDefined();
    } finally {
      await queue.close();
    }
    // one patch per region to the new image: nothing was done twice
    for (const region of ['c1', 'r1', 'r2']) {
      const effects = sim.patchLog({ region, name: 'checkout' }).filter((p) => p.changedSpec);
      expect(effects, region).toHaveLength(1);
    }
  });
});
