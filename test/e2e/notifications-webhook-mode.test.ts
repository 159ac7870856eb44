/**
 * Slack through an incoming webhook (no threads) with a severity filter: a release that rolls
 * back posts only its failures, each a standalone message naming the release, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { call, TERMINAL, waitForRelease, type ReleaseBody } from '../support/api-client.js';
import { writeConfig } from '../support/config-fixture.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

const REGIONS = ['us-west', 'eu-west', 'eu-central'];
const image = (v: string) => `registry.example.com/shop/checkout:${v}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Slack incoming-webhook mode with a failures-only filter', () => {
  let sim: RunningSimulator;
  let slack: FakeSlack;
  let db: TestDatabase;
  let api: Proc & { url: string };
  let worker: Proc;

  beforeAll(async () => {
    sim = await startSimulator({ regions: REGIONS, stepMs: 20, progressDeadlineSeconds: 1 });
    slack = await startFakeSlack();
    db = await createTestDatabase();
    const configDir = writeConfig({
      simulatorUrl: sim.url,
      canary: 'us-west',
      waves: [{ name: 'wave-1', regions: ['eu-west', 'eu-central'], maxParallel: 2 }],
      bake: '200ms',
      progressDeadline: '1500ms',
      notifications: {
        slack: { mode: 'webhook', webhookUrlEnv: 'TEST_SLACK_WEBHOOK_URL', minSeverity: 'failure' },
        delivery: { backoff: '100ms', maxBackoff: '500ms', timeout: '1s', pollInterval: '300ms' },
      },
    });
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: configDir,
      TEST_SLACK_WEBHOOK_URL: slack.webhookUrl,
      LOG_LEVEL: 'info',
    };
    api = await startApi(env);
    worker = await startWorker(env);
  });

  afterAll(async () => {
    await worker?.kill();
    await api?.kill();
    await db?.drop();
    await slack?.close();
    await sim?.close();
  });

  it('posts the failures of a rolled-back release, standalone and in order, a 429 retried after Retry-After', async () => {
    sim.markBadImage(image('2.0.0'), ['eu-central']);
    slack.rateLimitNext(1, 1);
    const created = await call<ReleaseBody>(api.url, 'POST', '/v1/releases', {
      service: 'checkout',
      version: '2.0.0',
      image: image('2.0.0'),
      releaseNumber: 1,
    });
    const done = await waitForRelease(api.url, created.body.id, (r) => TERMINAL.includes(r.state));
    expect(done.state).toBe('rolled_back');

    const expected = ['region.failed', 'release.rolling_back', 'release.rolled_back'];
    const deadline = Date.now() + 30_000;
    let items: Array<{ eventType: string; status: string; destination: string }> = [];
    while (Date.now() < deadline) {
      items = (await call<{ items: typeof items }>(api.url, 'GET', `/v1/notifications?releaseId=${created.body.id}`)).body.items;
      if (items.length === expected.length && items.every((d) => d.status === 'sent')) break;
      await sleep(200);
    }
    expect(items.map((d) => d.eventType).reverse()).toEqual(expected);
    expect(items.every((d) => d.destination === 'slack' && d.status === 'sent')).toBe(true);

    const posts = slack.webhookPosts.map((p) => JSON.parse(p.rawBody) as { text: string; blocks: unknown[]; thread_ts?: string });
    expect(posts).toHaveLength(3);
    expect(posts.map((p) => p.text)).toEqual([
      expect.stringMatching(/^checkout 2\.0\.0: Region failed: eu-central/),
      expect.stringMatching(/^checkout 2\.0\.0: Rollback started/),
      expect.stringMatching(/^checkout 2\.0\.0: Rollback finished/),
    ]);
    expect(posts.every((p) => p.thread_ts === undefined)).toBe(true);
    expect(slack.requests.filter((r) => r.startsWith('/hooks/') && r.endsWith(' 429'))).toHaveLength(1);
  });
});
