/**
 * Secrets audit: API and worker at LOG_LEVEL=trace run a release to the end with Slack (bot
 * token), a signed webhook and clusters that need a bearer token; callers also send tokens in
 * the wrong places (query string, X-Api-Key, `Authorization: Token …`, Basic). Every configured
 * secret — API tokens, the Slack token, the webhook secret, the cluster token — is then searched,
 * raw and base64, in every log line, every API answer and every database row: zero hits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { sha256Hex } from '#config';
import { send } from '../../bench/fuzz-engine.js';
import { call, TERMINAL, waitForRelease } from '../support/api-client.js';
import { TEST_TOKEN } from '../support/auth.js';
import { writeConfig } from '../support/config-fixture.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

const secret = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
const SECRETS = {
  adminToken: TEST_TOKEN,
  readToken: secret('tl_read_'),
  wrongToken: secret('tl_wrong_'),
  slackToken: secret('xoxb-audit-'),
  webhookSecret: secret('whsec_audit_'),
  clusterToken: secret('cluster_audit_'),
};
const REGIONS = ['us-west', 'eu-west'];
const image = (v: string) => `registry.example.com/shop/checkout:${v}`;

/** Each secret as it could leak: raw, base64, base64url, and inside a Basic credential. */
function forms(s: string): string[] {
  const b64 = (x: string) => Buffer.from(x).toString('base64');
  return [s, b64(s), Buffer.from(s).toString('base64url'), b64(`u:${s}`).slice(0, -2), encodeURIComponent(s)];
}

describe('secrets audit', () => {
  let sim: RunningSimulator;
  let slack: FakeSlack;
  let db: TestDatabase;
  let api: Proc & { url: string };
  let worker: Proc;
  const answers: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ regions: REGIONS, stepMs: 20, progressDeadlineSeconds: 2, token: SECRETS.clusterToken });
    slack = await startFakeSlack({ token: SECRETS.slackToken });
    db = await createTestDatabase();
    const dir = writeConfig({
      simulatorUrl: sim.url,
      canary: 'us-west',
      waves: [{ name: 'rest', regions: ['eu-west'] }],
      bake: '200ms',
      notifications: {
        slack: { mode: 'bot', tokenEnv: 'AUDIT_SLACK_TOKEN', apiUrl: slack.apiUrl, defaultChannel: 'C0AUDIT01' },
        webhooks: [{ name: 'audit', url: slack.receiverUrl('audit'), secretEnv: 'AUDIT_WEBHOOK_SECRET', minSeverity: 'info' }],
        delivery: { backoff: '100ms', maxBackoff: '500ms', timeout: '1s', pollInterval: '200ms', maxAttempts: 20 },
      },
    });
    const tidelineFile = `${dir}/tideline.yaml`;
    const tideline = JSON.parse(readFileSync(tidelineFile, 'utf8')) as { auth: { tokens: unknown[] } };
    tideline.auth.tokens.push({ name: 'viewer', scopes: ['read'], sha256: sha256Hex(SECRETS.readToken) });
    writeFileSync(tidelineFile, JSON.stringify(tideline));
    const regionsFile = `${dir}/regions.yaml`;
    const regions = JSON.parse(readFileSync(regionsFile, 'utf8')) as { regions: Array<{ kubernetes: Record<string, unknown> }> };
    for (const r of regions.regions) r.kubernetes.tokenEnv = 'AUDIT_CLUSTER_TOKEN';
    writeFileSync(regionsFile, JSON.stringify(regions));
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: dir,
      AUDIT_SLACK_TOKEN: SECRETS.slackToken,
      AUDIT_WEBHOOK_SECRET: SECRETS.webhookSecret,
      AUDIT_CLUSTER_TOKEN: SECRETS.clusterToken,
      LOG_LEVEL: 'trace',
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

  it('no configured secret appears in any log line, answer or row, raw or base64', { timeout: 120_000 }, async () => {
    const created = await call<{ id: string }>(api.url, 'POST', '/v1/releases', {
      service: 'checkout',
      version: '1.0.1',
      image: image('1.0.1'),
      releaseNumber: 1,
      requestedBy: 'audit',
    });
    expect(created.status).toBe(201);
    const done = await waitForRelease(api.url, created.body.id, (r) => TERMINAL.includes(r.state), 90_000);
    expect(done.state).toBe('succeeded');
    expect(slack.messages.length, 'Slack was reached with the token').toBeGreaterThan(0);

    // tokens in the wrong places, and the right ones everywhere
    const t = SECRETS.adminToken;
    const raw = (path: string, headers: Record<string, string>) =>
      send(api.url, {
        op: 'audit',
        method: 'GET',
        path,
        headers,
        body: null,
        caller: 'none',
        opMethod: 'GET',
        scopes: [],
        validCreate: false,
      });
    const wrongPlaces = [
      await raw(`/v1/releases?access_token=${t}`, {}),
      await raw(`/v1/releases?token=${t}&limit=1`, { authorization: `Bearer ${SECRETS.readToken}` }),
      await raw(`/v1/regions?api_key=${SECRETS.readToken}`, {}),
      await raw('/v1/releases', { 'x-api-key': t }),
      await raw('/v1/releases', { authorization: `Token ${t}` }),
      await raw('/v1/releases', { authorization: `Basic ${Buffer.from(`u:${t}`).toString('base64')}` }),
      await raw('/v1/releases', { authorization: `Bearer ${SECRETS.wrongToken}` }),
      await raw(`/v1/releases/${created.body.id}?${SECRETS.slackToken}`, { authorization: `Bearer ${t}` }),
    ];
    expect(wrongPlaces.map((a) => a.status)).toEqual([401, 400, 401, 401, 401, 401, 401, 400]);
    answers.push(...wrongPlaces.map((a) => a.text));
    for (const path of [
      '/v1/releases',
      `/v1/releases/${created.body.id}`,
      `/v1/releases/${created.body.id}/events`,
      `/v1/releases/${created.body.id}/gates`,
      '/v1/notifications',
      '/v1/regions',
      '/v1/audit',
      '/docs/openapi.json',
      '/docs',
      '/readyz',
    ]) {
      for (const token of [t, SECRETS.readToken]) answers.push((await raw(path, { authorization: `Bearer ${token}` })).text);
    }
    await waitFor(async () =>
      (await call<{ items: Array<{ status: string }> }>(api.url, 'GET', '/v1/notifications?limit=200')).body.items.every(
        (d) => d.status === 'sent',
      ),
    );

    const tables = await db.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const rows: string[] = [];
    for (const { t: table } of tables)
      rows.push(...(await db.query<{ r: string }>(`SELECT x::text AS r FROM "${table}" x`)).map((r) => r.r));
    const logs = `${api.output()}\n${worker.output()}`;
    expect(logs).toMatch(/"msg":"request"/);
    expect(rows.length).toBeGreaterThan(10);
    const hits: string[] = [];
    for (const [name, value] of Object.entries(SECRETS)) {
      for (const form of forms(value)) {
        if (logs.includes(form))
          hits.push(`${name} in a log line: …${logs.slice(Math.max(0, logs.indexOf(form) - 150), logs.indexOf(form) + 50)}`);
        if (answers.some((a) => a.includes(form))) hits.push(`${name} in an answer`);
        if (rows.some((r) => r.includes(form))) hits.push(`${name} in a row: ${rows.find((r) => r.includes(form))!.slice(0, 200)}`);
      }
    }
    expect(hits).toEqual([]);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not met in time');
}
