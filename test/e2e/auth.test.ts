/**
 * Auth over HTTP: every endpoint of the OpenAPI document × every kind of caller (no token, a
 * wrong token, a malformed header, and a token of each scope): no token or a bad one → 401,
 * a token without the scope → 403, the right scope or admin → through; probes and docs need
 * none. Every action is recorded with the token's name and the reason, in the release's events
 * and in /v1/audit. No token ever appears in a log line or an answer. Without tokens the API
 * refuses to start unless TIDELINE_AUTH=disabled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '#config';
import { call, type ApiResponse } from '../support/api-client.js';
import { startApi, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { testAuth } from '../support/auth.js';
import { writeServicesConfig } from './multi-service-config.js';

const TOKENS = {
  ci: 'ci-token-4f1d2e3c5b6a79880a1b2c3d',
  ops: 'ops-token-9a8b7c6d5e4f30211f2e3d4c',
  viewer: 'viewer-token-0011223344556677aabb',
  root: 'root-token-ffeeddccbbaa99887766',
};
const WRONG = 'wrong-token-not-configured-anywhere-42';
const SCOPES: Record<keyof typeof TOKENS, string[]> = {
  ci: ['releases:create'],
  ops: ['releases:operate'],
  viewer: ['read'],
  root: ['admin'],
};
const REGIONS = ['eu-west', 'us-east'];

interface Op {
  security: Array<Record<string, string[]>>;
  'x-scopes': string[];
}

describe('auth', () => {
  let db: TestDatabase;
  let api: Proc & { url: string };
  let env: NodeJS.ProcessEnv;
  const seen: string[] = [];

  beforeAll(async () => {
    process.env.TIDELINE_T_CI = TOKENS.ci;
    process.env.TIDELINE_T_ROOT = TOKENS.root;
    db = await createTestDatabase();
    const plan = { defaults: { bake: '1s' }, canary: { region: 'eu-west' }, waves: [{ name: 'rest', regions: ['us-east'] }] };
    const dir = writeServicesConfig(
      'http://127.0.0.1:1',
      REGIONS,
      { web: plan },
      {
        auth: testAuth([
          { name: 'ci', scopes: ['releases:create'], tokenEnv: 'TIDELINE_T_CI' },
          { name: 'ops', scopes: ['releases:operate'], sha256: sha256Hex(TOKENS.ops) },
          { name: 'viewer', scopes: ['read'], sha256: sha256Hex(TOKENS.viewer) },
          { name: 'root', scopes: ['admin'], tokenEnv: 'TIDELINE_T_ROOT' },
        ]),
      },
    );
    // eu-west can be drained (the simulator LB at a closed port: the job would fail, but the request is recorded)
    const regionsFile = `${dir}/regions.yaml`;
    const { readFileSync, writeFileSync } = await import('node:fs');
    const regions = JSON.parse(readFileSync(regionsFile, 'utf8')) as { regions: Array<Record<string, unknown>> };
    regions.regions[0]!.traffic = { provider: 'simulator', url: 'http://127.0.0.1:1' };
    writeFileSync(regionsFile, JSON.stringify(regions));
    env = { DATABASE_URL: db.url, REDIS_URL, TIDELINE_QUEUE_PREFIX: uniquePrefix(), TIDELINE_CONFIG_DIR: dir, LOG_LEVEL: 'info' };
    api = await startApi(env);
  });

  afterAll(async () => {
    await api?.kill();
    await db?.drop();
  });

  const as = async <T = Record<string, unknown>>(
    who: keyof typeof TOKENS | 'none' | 'wrong' | 'basic',
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>> => {
    const authorization =
      who === 'none'
        ? ''
        : who === 'wrong'
          ? `Bearer ${WRONG}`
          : who === 'basic'
            ? `Basic ${Buffer.from(`u:${TOKENS.root}`).toString('base64')}`
            : `Bearer ${TOKENS[who]}`;
    const res = await call<T>(api.url, method, path, body, { authorization });
    seen.push(JSON.stringify(res.body));
    return res;
  };

  it('every endpoint × every caller: 401 without a valid token, 403 without the scope, through with it', async () => {
    const created = await as<{ id: string }>('ci', 'POST', '/v1/releases', {
      service: 'web',
      version: '1.0.1',
      image: 'registry.example.com/shop/web:1.0.1',
      releaseNumber: 1,
    });
    expect(created.status).toBe(201);
    const drain = await as<{ operation: { id: string } }>('ops', 'POST', '/v1/regions/eu-west/drain', { reason: 'matrix' });
    expect(drain.status).toBe(202);
    const doc = (
      await call<{ paths: Record<string, Record<string, Op>> }>(api.url, 'GET', '/docs/openapi.json', undefined, { authorization: '' })
    ).body;
    const fill = (path: string) =>
      path
        .replace('{id}', created.body.id)
        .replace('{region}', 'eu-west')
        .replace('{operationId}', drain.body.operation.id)
        .replace('{service}', 'web');
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const url = fill(path);
        const what = `${method.toUpperCase()} ${path}`;
        const body = method === 'post' ? {} : undefined;
        for (const who of ['none', 'wrong', 'basic'] as const) {
          const res = await as(who, method.toUpperCase(), url, body);
          if (op.security.length === 0) {
            expect([401, 403], `${what} as ${who}`).not.toContain(res.status);
            continue;
          }
          expect(res.status, `${what} as ${who}`).toBe(401);
          expect(res.contentType).toMatch(/^application\/problem\+json/);
        }
        for (const who of Object.keys(TOKENS) as Array<keyof typeof TOKENS>) {
          const res = await as<{ detail?: string }>(who, method.toUpperCase(), url, body);
          const allowed = op.security.length === 0 || SCOPES[who].some((s) => s === 'admin' || op['x-scopes'].includes(s));
          if (allowed) {
            expect([401, 403], `${what} as ${who} (${res.status} ${JSON.stringify(res.body)})`).not.toContain(res.status);
          } else {
            expect(res.status, `${what} as ${who}`).toBe(403);
            expect(res.contentType).toMatch(/^application\/problem\+json/);
            expect(res.body.detail).toContain(`token ${who} lacks scope ${op['x-scopes'].join(' or ')}`);
          }
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it('401 names the scheme (WWW-Authenticate) and what is wrong; probes and docs need no token', async () => {
    const none = await as<{ detail: string }>('none', 'GET', '/v1/releases');
    expect(none.body.detail).toMatch(/bearer token is required/);
    const raw = await fetch(`${api.url}/v1/releases`, { headers: { authorization: `Bearer ${WRONG}` } });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toBe('Bearer realm="tideline", error="invalid_token"');
    seen.push(await raw.text());
    for (const path of ['/healthz', '/readyz', '/docs', '/docs/openapi.json'])
      expect((await as('none', 'GET', path)).status, path).toBe(200);
    // a malformed body without a token is a 401, not a 400: nobody learns anything without a token
    const res = await fetch(`${api.url}/v1/releases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"service":',
    });
    expect(res.status).toBe(401);
  });

  it("every action is an event with the token's name and the reason, in the release's events and in /v1/audit", async () => {
    await new Promise((r) => setTimeout(r, 50));
    const since = new Date().toISOString();
    await db.query(`UPDATE releases SET state = 'cancelled' WHERE state IN ('running','paused','awaiting_approval','rolling_back')`);
    const created = await as<{ id: string }>('ci', 'POST', '/v1/releases', {
      service: 'web',
      version: '1.0.2',
      image: 'registry.example.com/shop/web:1.0.2',
      releaseNumber: 2,
    });
    const id = created.body.id;
    expect((await as('ops', 'POST', `/v1/releases/${id}/pause`, { reason: 'checking dashboards' })).status).toBe(200);
    expect((await as('root', 'POST', `/v1/releases/${id}/resume`, { reason: 'all clear' })).status).toBe(200);
    expect((await as('ops', 'POST', `/v1/releases/${id}/cancel`, { reason: 'wrong build' })).status).toBe(200);
    const events = (
      await as<{ items: Array<{ type: string; actor: string; reason: string | null }> }>('viewer', 'GET', `/v1/releases/${id}/events`)
    ).body.items;
    expect(events.filter((e) => e.actor !== 'tideline').map((e) => [e.type, e.actor, e.reason])).toEqual([
      ['release.created', 'ci', null],
      ['release.paused', 'ops', 'checking dashboards'],
      ['release.resumed', 'root', 'all clear'],
      ['release.cancelled', 'ops', 'wrong build'],
    ]);

    type Page = {
      items: Array<{ type: string; actor: string; reason: string | null; releaseId: string | null; region: string | null }>;
      total: number;
    };
    const audit = (q: string) => as<Page>('viewer', 'GET', `/v1/audit?${q}`);
    const ops = (await audit(`actor=ops&since=${encodeURIComponent(since)}`)).body;
    expect(ops.items.map((e) => [e.type, e.reason])).toEqual([
      ['release.cancelled', 'wrong build'],
      ['release.paused', 'checking dashboards'],
    ]);
    const drains = (await audit('type=region.drain')).body;
    expect(drains.items[0]).toMatchObject({ actor: 'ops', region: 'eu-west', reason: 'matrix', releaseId: null });
    const all = (await audit('limit=2')).body;
    const next = (await audit('limit=2&offset=2')).body;
    expect(all.items).toHaveLength(2);
    expect(next.total).toBe(all.total);
    expect(all.items.map((e) => e.type)).not.toEqual(next.items.map((e) => e.type));
    expect(all.items.every((e) => e.actor !== 'tideline')).toBe(true);
    const bad = await as<{ errors: Array<{ field: string }> }>(
      'viewer',
      'GET',
      '/v1/audit?since=yesterday&limit=0&actor=Bad%20Name&type=x&colour=1',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field).sort()).toEqual(['actor', 'colour', 'limit', 'since', 'type']);
  });

  it('no token ever appears in a log line or an answer; the access log names the actor', async () => {
    const out = api.output();
    for (const token of [...Object.values(TOKENS), WRONG]) {
      expect(out.includes(token), 'log').toBe(false);
      expect(
        seen.some((s) => s.includes(token)),
        'answers',
      ).toBe(false);
    }
    expect(out).toMatch(/"actor":"ops".*"msg":"request"/);
    expect(out).not.toMatch(/[Aa]uthorization/);
  });

  it('refuses to start without tokens unless TIDELINE_AUTH=disabled, which logs a warning and acts as anonymous', async () => {
    const dir = writeServicesConfig('http://127.0.0.1:1', REGIONS, { web: { canary: { region: 'eu-west' } } }, { auth: { tokens: [] } });
    const base = { ...env, TIDELINE_CONFIG_DIR: dir, TIDELINE_QUEUE_PREFIX: uniquePrefix() };
    await expect(startApi(base)).rejects.toThrow(/no API tokens are configured .*TIDELINE_AUTH=disabled/);
    await expect(startApi({ ...base, TIDELINE_AUTH: 'off' })).rejects.toThrow(/TIDELINE_AUTH: must be "disabled"/);
    const open = await startApi({ ...base, TIDELINE_AUTH: 'disabled' });
    try {
      expect(open.output()).toMatch(/"level":40.*TIDELINE_AUTH=disabled/);
      const res = await call<{ id: string }>(
        open.url,
        'POST',
        '/v1/releases',
        { service: 'web', version: '3.0.0', image: 'registry.example.com/shop/web:3.0.0', releaseNumber: 30 },
        { authorization: '' },
      );
      expect(res.status).toBe(201);
      const events = (
        await call<{ items: Array<{ actor: string }> }>(open.url, 'GET', `/v1/releases/${res.body.id}/events`, undefined, {
          authorization: '',
        })
      ).body.items;
      expect(events[0]!.actor).toBe('anonymous');
    } finally {
      await open.kill();
    }
  });
});
