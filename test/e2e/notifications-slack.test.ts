/**
 * Slack and webhook notifications end to end: API + worker processes, real Postgres and
 * Redis, the region simulator, and a fake Slack (test/support/fake-slack.ts) that can be
 * down, slow, failing or rate limiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { NOTIFIABLE_EVENT_TYPES } from '#domain';
import { verifyTidelineSignature } from '#integrations';
import { call, TERMINAL, waitForRelease, type ReleaseBody } from '../support/api-client.js';
import { writeConfig } from '../support/config-fixture.js';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../support/fake-slack.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

const REGIONS = ['us-west', 'eu-west', 'eu-central'];
const CHANNEL = 'C0DEPLOYS1';
const SECRET = 'whsec-test-secret';
const image = (v: string) => `registry.example.com/shop/checkout:${v}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  destination: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

describe('Slack and webhook notifications', () => {
  let sim: RunningSimulator;
  let slack: FakeSlack;
  let db: TestDatabase;
  let api: Proc & { url: string };
  let worker: Proc;
  let env: NodeJS.ProcessEnv;
  let releaseNumber = 0;
  /** how long the first release took with Slack up */
  let baselineMs = 0;

  beforeAll(async () => {
    sim = await startSimulator({ regions: REGIONS, stepMs: 20, progressDeadlineSeconds: 2 });
    slack = await startFakeSlack();
    db = await createTestDatabase();
    const configDir = writeConfig({
      simulatorUrl: sim.url,
      canary: 'us-west',
      waves: [{ name: 'wave-1', regions: ['eu-west', 'eu-central'], maxParallel: 2 }],
      bake: '300ms',
      progressDeadline: '3s',
      notifications: {
        dashboardUrl: 'https://tideline.example.com',
        slack: { mode: 'bot', tokenEnv: 'TEST_SLACK_TOKEN', apiUrl: slack.apiUrl, defaultChannel: CHANNEL },
        webhooks: [{ name: 'audit', url: slack.receiverUrl('audit'), secretEnv: 'TEST_WEBHOOK_SECRET', minSeverity: 'info' }],
        delivery: { backoff: '100ms', maxBackoff: '500ms', timeout: '500ms', pollInterval: '300ms', maxAttempts: 100 },
      },
    });
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: configDir,
      TIDELINE_JOB_LOCK_MS: '1500',
      TEST_SLACK_TOKEN: slack.token,
      TEST_WEBHOOK_SECRET: SECRET,
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

  const release = async (version: string) => {
    const created = await call<ReleaseBody>(api.url, 'POST', '/v1/releases', {
      service: 'checkout',
      version,
      image: image(version),
      releaseNumber: ++releaseNumber,
    });
    expect(created.status).toBe(201);
    return created.body.id;
  };

  /** Notified event ids of a release, in order. */
  const notifiedEvents = async (id: string) => {
    const events = await call<{ items: Array<{ id: string; type: string }> }>(api.url, 'GET', `/v1/releases/${id}/events`);
    return events.body.items.filter((e) => NOTIFIABLE_EVENT_TYPES.includes(e.type));
  };

  const deliveries = async (query: string) =>
    (await call<{ items: Delivery[]; total: number }>(api.url, 'GET', `/v1/notifications?${query}`)).body;

  const waitForDeliveries = async (id: string, done: (items: Delivery[]) => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    let items: Delivery[] = [];
    while (Date.now() < deadline) {
      items = (await deliveries(`releaseId=${id}&limit=200`)).items;
      if (items.length > 0 && done(items)) return items;
      await sleep(200);
    }
    throw new Error(`deliveries of ${id} not done: ${JSON.stringify(items)}`);
  };
  const allSent = (items: Delivery[]) => items.every((d) => d.status === 'sent');
  const duration = async (id: string) => {
    const r = await call<{ startedAt: string; endedAt: string }>(api.url, 'GET', `/v1/releases/${id}`);
    return Date.parse(r.body.endedAt) - Date.parse(r.body.startedAt);
  };

  /** The release's thread: its parent (exactly one) and the replies in order. */
  const thread = (id: string): { parent: FakeMessage; replies: FakeMessage[] } => {
    const parents = slack.parents(CHANNEL).filter((m) => m.metadata?.event_payload['release_id'] === id);
    expect(parents, 'exactly one parent message').toHaveLength(1);
    return { parent: parents[0]!, replies: slack.replies(parents[0]!.ts) };
  };

  it('a full release produces one thread: one parent, one reply per event in order, the parent updated at the end', async () => {
    const id = await release('1.0.0');
    const done = await waitForRelease(api.url, id, (r) => TERMINAL.includes(r.state));
    expect(done.state).toBe('succeeded');
    baselineMs = await duration(id);
    const events = await notifiedEvents(id);
    expect(events.map((e) => e.type)).toEqual([
      'release.created',
      'stage.started',
      'region.verified',
      'stage.started',
      'region.verified',
      'region.verified',
      'release.succeeded',
    ]);
    const items = await waitForDeliveries(id, (d) => d.length === events.length * 2 && allSent(d));
    expect(new Set(items.map((d) => d.destination))).toEqual(new Set(['slack', 'webhook:audit']));

    const { parent, replies } = thread(id);
    expect(replies.map((m) => m.metadata?.event_payload['event_id'])).toEqual(events.map((e) => e.id));
    expect(parent.text).toContain('checkout 1.0.0');
    expect(parent.text).toContain('succeeded');
    expect(parent.previousTexts.length).toBeGreaterThan(0);
    expect(parent.previousTexts[0]).toContain('running');
    expect(JSON.stringify(parent.blocks)).toContain(`https://tideline.example.com/releases/${id}`);
    expect(JSON.stringify(parent.blocks)).toContain('canary (us-west) → wave-1 (eu-west, eu-central)');
    expect(replies.at(-1)!.text).toMatch(/Release succeeded/);
    expect(replies[1]!.text).toMatch(/Canary started/);
  });

  it('webhook requests carry the event, signed: they verify with the documented procedure; a tampered body or an old timestamp does not', async () => {
    const posts = slack.receiverPosts;
    expect(posts.length).toBeGreaterThanOrEqual(7);
    for (const p of posts) {
      const ts = p.headers['x-tideline-timestamp'] as string;
      const sig = p.headers['x-tideline-signature'] as string;
      expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(verifyTidelineSignature(SECRET, ts, p.rawBody, sig, Date.now())).toBe(true);
      expect(verifyTidelineSignature(SECRET, ts, p.rawBody.replace('checkout', 'checkouT'), sig, Date.now())).toBe(false);
      expect(verifyTidelineSignature(SECRET, ts, p.rawBody, sig, Number(ts) * 1000 + 301_000)).toBe(false);
      expect(verifyTidelineSignature('another-secret', ts, p.rawBody, sig, Date.now())).toBe(false);
      const body = JSON.parse(p.rawBody) as { deliveryId: string; type: string; release: { service: string; url: string } };
      expect(p.headers['x-tideline-delivery']).toBe(body.deliveryId);
      expect(body.release.service).toBe('checkout');
    }
    const types = posts.map((p) => (JSON.parse(p.rawBody) as { type: string }).type);
    expect(types).toContain('release.succeeded');
  });

  it('Slack down for a whole release: the release keeps its schedule; when Slack is back (429s and 500s first) the messages arrive in order, none twice', async () => {
    await slack.setDown('refuse');
    const id = await release('1.1.0');
    const done = await waitForRelease(api.url, id, (r) => TERMINAL.includes(r.state));
    expect(done.state).toBe('succeeded');
    // on its own schedule: about as long as with Slack up (bakes and rollouts, nothing waits for Slack)
    expect(await duration(id)).toBeLessThan(baselineMs + 2_000);
    expect(slack.messages.filter((m) => m.metadata?.event_payload['release_id'] === id)).toEqual([]);
    const waiting = (await deliveries(`releaseId=${id}&destination=slack&limit=200`)).items;
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.some((d) => d.attempts >= 1 && d.lastError !== null)).toBe(true);
    expect(waiting.every((d) => d.status === 'pending' || d.status === 'sending')).toBe(true);

    slack.rateLimitNext(2, 1);
    slack.failNext(2, 500);
    await slack.setDown(false);
    const events = await notifiedEvents(id);
    await waitForDeliveries(id, (d) => d.length === events.length * 2 && allSent(d));
    const { replies } = thread(id);
    expect(replies.map((m) => m.metadata?.event_payload['event_id'])).toEqual(events.map((e) => e.id));
    expect(slack.requests.filter((r) => r.endsWith(' 429')).length).toBeGreaterThanOrEqual(1);
  });

  it('SIGKILL of the worker while Slack holds a post does not duplicate a message (parent or reply)', async () => {
    for (const which of ['parent', 'reply'] as const) {
      const before = slack.messages.length;
      slack.setSlowPostMs(400);
      const id = await release(which === 'parent' ? '1.2.0' : '1.3.0');
      // the parent is the first post of the release; a reply the third
      await slack.waitForPosts(before + (which === 'parent' ? 1 : 3));
      await worker.kill('SIGKILL');
      slack.setSlowPostMs(0);
      worker = await startWorker(env);
      const done = await waitForRelease(api.url, id, (r) => TERMINAL.includes(r.state));
      expect(done.state).toBe('succeeded');
      const events = await notifiedEvents(id);
      const items = await waitForDeliveries(id, (d) => d.length === events.length * 2 && allSent(d));
      const { replies } = thread(id);
      expect(
        replies.map((m) => m.metadata?.event_payload['event_id']),
        which,
      ).toEqual(events.map((e) => e.id));
      // the killed attempt was taken again after its lease, and Slack was asked before re-posting
      expect(items.filter((d) => d.destination === 'slack' && d.attempts >= 2).length, which).toBeGreaterThanOrEqual(1);
      expect(
        slack.requests.some((r) => r.startsWith(which === 'parent' ? '/api/conversations.history' : '/api/conversations.replies')),
      ).toBe(true);
    }
  });

  it('GET /v1/notifications filters and pages; bad input is a 400 naming the field', async () => {
    const page = await deliveries('destination=webhook:audit&status=sent&limit=2&offset=1');
    expect(page.items).toHaveLength(2);
    expect(page.total).toBeGreaterThan(2);
    expect(page.items.every((d) => d.destination === 'webhook:audit' && d.status === 'sent')).toBe(true);
    for (const [query, field] of [
      ['status=lost', 'status'],
      ['releaseId=nope', 'releaseId'],
      ['destination=email', 'destination'],
      ['limit=0', 'limit'],
      ['colour=blue', 'colour'],
    ]) {
      const res = await call<{ errors: Array<{ field: string }> }>(api.url, 'GET', `/v1/notifications?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.contentType).toContain('application/problem+json');
      expect(res.body.errors.map((e) => e.field)).toContain(field);
    }
  });
});
