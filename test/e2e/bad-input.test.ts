/** Bad requests get a 400 application/problem+json that names the field, and nothing is written. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api-client.js';
import { writeConfig } from '../support/config-fixture.js';
import { startApi, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

interface Problem {
  status: number;
  title: string;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

const good = { service: 'checkout', version: '1.2.3', image: 'registry.example.com/shop/checkout:1.2.3', releaseNumber: 7 };

describe('bad input on the releases API', () => {
  let db: TestDatabase;
  let api: Proc & { url: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    const configDir = writeConfig({ simulatorUrl: 'http://127.0.0.1:1', canary: 'c1', waves: [{ name: 'wave-1', regions: ['r1'] }] });
    api = await startApi({
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: configDir,
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    await api?.kill();
    await db?.drop();
  });

  const count = async () => {
    const [r] = await db.query<{ releases: number; targets: number; events: number }>(
      `SELECT (SELECT count(*) FROM releases)::int AS releases, (SELECT count(*) FROM region_targets)::int AS targets, (SELECT count(*) FROM release_events)::int AS events`,
    );
    return r;
  };

  const cases: Array<[string, unknown, string, RegExp]> = [
    ['malformed JSON', '{"service": "checkout",', '(body)', /valid JSON/],
    ['a JSON array', '[1,2]', '(body)', /object/],
    ['an unknown field', { ...good, colour: 'blue' }, 'colour', /not a known field/],
    ['a missing service', { ...good, service: undefined }, 'service', /required/],
    ['a missing image', { ...good, image: undefined }, 'image', /required/],
    ['a missing releaseNumber', { ...good, releaseNumber: undefined }, 'releaseNumber', /required/],
    ['releaseNumber as a string', { ...good, releaseNumber: '7' }, 'releaseNumber', /must be a number/],
    ['a fractional releaseNumber', { ...good, releaseNumber: 1.5 }, 'releaseNumber', /integer/],
    ['a negative releaseNumber', { ...good, releaseNumber: -1 }, 'releaseNumber', /at least 1/],
    ['version as a number', { ...good, version: 12 }, 'version', /must be a string/],
    ['a bad gitSha', { ...good, gitSha: 'XYZ' }, 'gitSha', /hex/],
    ['an unknown service', { ...good, service: 'payments' }, 'service', /unknown service "payments"/],
    ['the latest tag', { ...good, image: 'registry.example.com/shop/checkout:latest' }, 'image', /latest/],
    ['a tagless image', { ...good, image: 'registry.example.com/shop/checkout' }, 'image', /tagless/],
    ['an uppercase repository', { ...good, image: 'Registry/Shop:1.0' }, 'image', /lowercase/],
    ['a short digest', { ...good, image: 'registry.example.com/shop/checkout@sha256:abc' }, 'image', /digest/],
    ['an image with spaces', { ...good, image: 'shop/checkout 1.0' }, 'image', /whitespace/],
  ];

  for (const [what, body, field, message] of cases) {
    it(`refuses ${what} naming ${field}`, async () => {
      const before = await count();
      const res = await call<Problem>(api.url, 'POST', '/v1/releases', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.contentType).toMatch(/^application\/problem\+json/);
      expect(res.body.status).toBe(400);
      const problem = res.body.errors?.find((e) => e.field === field);
      expect(problem, JSON.stringify(res.body)).toBeDefined();
      expect(problem!.message).toMatch(message);
      expect(await count()).toEqual(before);
    });
  }

  it('names every bad field at once', async () => {
    const res = await call<Problem>(api.url, 'POST', '/v1/releases', { version: 3, extra: true });
    expect(res.status).toBe(400);
    expect(res.body.errors!.map((e) => e.field).sort()).toEqual(['extra', 'image', 'releaseNumber', 'service', 'version']);
  });

  it('refuses a bad Idempotency-Key header', async () => {
    const res = await call<Problem>(api.url, 'POST', '/v1/releases', good, { 'Idempotency-Key': 'x'.repeat(300) });
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.field).toBe('Idempotency-Key');
  });

  it('refuses bad query parameters and ids with 400, unknown ids with 404', async () => {
    const q = await call<Problem>(api.url, 'GET', '/v1/releases?state=exploded&limit=0&colour=1');
    expect(q.status).toBe(400);
    expect(q.body.errors!.map((e) => e.field).sort()).toEqual(['colour', 'limit', 'state']);
    const id = await call<Problem>(api.url, 'GET', '/v1/releases/not-a-uuid');
    expect(id.status).toBe(400);
    expect(id.body.errors![0]!.field).toBe('id');
    const missing = await call<Problem>(api.url, 'GET', '/v1/releases/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.contentType).toMatch(/^application\/problem\+json/);
    const route = await call<Problem>(api.url, 'GET', '/v1/nothing-here');
    expect(route.status).toBe(404);
  });

  it('creates once and answers the same release for a repeated create', async () => {
    const first = await call<{ id: string }>(api.url, 'POST', '/v1/releases', good, { 'Idempotency-Key': 'build-1' });
    expect(first.status).toBe(201);
    const again = await call<{ id: string }>(api.url, 'POST', '/v1/releases', good, { 'Idempotency-Key': 'build-1' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect((await count()).releases).toBe(1);
  });
});
