/**
 * The queue is only a hint: when jobs are lost (Redis flushed, an enqueue that never
 * happened), the sweeper finds the releases in Postgres and carries them on.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { QUEUES } from '#application';
import { redisConnection } from '#integrations';
import { call, TERMINAL, waitForRelease, type ReleaseBody } from '../support/api-client.js';
import { writeConfig } from '../support/config-fixture.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

describe('sweeper', () => {
  let sim: RunningSimulator;
  let db: TestDatabase;
  let api: Proc & { url: string };
  let env: NodeJS.ProcessEnv;
  let worker: Proc | undefined;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    sim = await startSimulator({ regions: ['c1', 'r1', 'r2'], stepMs: 10 });
    db = await createTestDatabase();
    const configDir = writeConfig({
      simulatorUrl: sim.url,
      canary: 'c1',
      waves: [{ name: 'wave-1', regions: ['r1', 'r2'], maxParallel: 2 }],
      bake: '100ms',
    });
    env = { DATABASE_URL: db.url, REDIS_URL, TIDELINE_QUEUE_PREFIX: prefix, TIDELINE_CONFIG_DIR: configDir, LOG_LEVEL: 'info' };
    api = await startApi(env);
  });

  afterAll(async () => {
    await worker?.kill();
    await api?.kill();
    await db?.drop();
    await sim?.close();
  });

  it('finishes releases whose jobs were wiped, and starts a queued release whose turn was lost', async () => {
    const post = (n: number) =>
      call<ReleaseBody>(api.url, 'POST', '/v1/releases', {
        service: 'checkout',
        version: `5.${n}.0`,
        image: `registry.example.com/shop/checkout:5.${n}.0`,
        releaseNumber: n,
      });
    const first = await post(1);
    const second = await post(2);
    expect([first.body.state, second.body.state]).toEqual(['running', 'queued']);

    // Lose every job: the first release's tick never reaches a worker.
    const queue = new Queue(QUEUES.releases, { connection: redisConnection(REDIS_URL), prefix });
    await queue.obliterate({ force: true });
    expect(await queue.count()).toBe(0);
    await queue.close();

    worker = await startWorker(env);
    const a = await waitForRelease(api.url, first.body.id, (r) => TERMINAL.includes(r.state), 30_000);
    expect(a.state).toBe('succeeded');
    const b = await waitForRelease(api.url, second.body.id, (r) => TERMINAL.includes(r.state), 30_000);
    expect(b.state).toBe('succeeded');

    // A release ended while the next one's promotion was lost: the sweeper starts it.
    const third = await post(3);
    const fourth = await post(4);
    expect([third.body.state, fourth.body.state]).toEqual(['running', 'queued']);
    await waitForRelease(api.url, third.body.id, (r) => TERMINAL.includes(r.state), 30_000);
    await waitForRelease(api.url, fourth.body.id, (r) => TERMINAL.includes(r.state), 30_000);
    await worker.kill();
    worker = undefined;
    const fifth = await post(5);
    const sixth = await post(6);
    // End the fifth behind the engine's back, as if its worker died between the end and the promotion.
    await db.query(`UPDATE releases SET state = 'cancelled', ended_at = now() WHERE id = $1`, [fifth.body.id]);
    expect(sixth.body.state).toBe('queued');
    worker = await startWorker(env);
    const f = await waitForRelease(api.url, sixth.body.id, (r) => TERMINAL.includes(r.state), 30_000);
    expect(f.state).toBe('succeeded');
    const events = await call<{ items: Array<{ type: string; reason: string | null }> }>(
      api.url,
      'GET',
      `/v1/releases/${sixth.body.id}/events`,
    );
    expect(events.body.items.find((e) => e.type === 'release.started')?.reason).toMatch(/previous release/);
  });
});
