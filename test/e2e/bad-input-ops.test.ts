/**
 * Bad input on every endpoint of the operator surface (actions, regions, operations, audit):
 * 400 application/problem+json naming each bad field, and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api-client.js';
import { startApi, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { writeServicesConfig } from './multi-service-config.js';

interface Problem {
  status: number;
  errors?: Array<{ field: string; message: string }>;
}

const ID = '00000000-0000-4000-8000-000000000000';
const ACTIONS = ['pause', 'resume', 'approve', 'promote', 'rollback', 'cancel', 'retry'];

/** [what, method, path, body, fields named] */
const CASES: Array<[string, string, string, unknown, string[]]> = [
  ...ACTIONS.flatMap((a): Array<[string, string, string, unknown, string[]]> => [
    [`${a}: a bad release id`, 'POST', `/v1/releases/not-a-uuid/${a}`, { reason: 'x' }, ['id']],
    [`${a}: an unknown field`, 'POST', `/v1/releases/${ID}/${a}`, { reason: 'x', force: true }, ['force']],
    [`${a}: a blank reason`, 'POST', `/v1/releases/${ID}/${a}`, { reason: '  ' }, ['reason']],
    [`${a}: a reason that is not a string`, 'POST', `/v1/releases/${ID}/${a}`, { reason: 42 }, ['reason']],
    [`${a}: a reason too long`, 'POST', `/v1/releases/${ID}/${a}`, { reason: 'x'.repeat(1001) }, ['reason']],
    [`${a}: a body that is a list`, 'POST', `/v1/releases/${ID}/${a}`, [1], ['(body)']],
  ]),
  ['promote without a reason', 'POST', `/v1/releases/${ID}/promote`, {}, ['reason']],
  ['retry: a bad region name', 'POST', `/v1/releases/${ID}/retry`, { region: 'EU WEST' }, ['region']],
  ['gates: bad query', 'GET', `/v1/releases/${ID}/gates?limit=0&region=X&colour=1`, undefined, ['colour', 'limit', 'region']],
  ...(['drain', 'restore'] as const).flatMap((k): Array<[string, string, string, unknown, string[]]> => [
    [`${k}: a bad region name`, 'POST', `/v1/regions/EU_WEST/${k}`, {}, ['region']],
    [`${k}: an unknown field`, 'POST', `/v1/regions/eu-west/${k}`, { weight: 0 }, ['weight']],
    [`${k}: a blank reason`, 'POST', `/v1/regions/eu-west/${k}`, { reason: '' }, ['reason']],
    [`${k}: a body that is a string`, 'POST', `/v1/regions/eu-west/${k}`, '"drain"', ['(body)']],
  ]),
  ['operation: a bad region', 'GET', `/v1/regions/Eu/operations/${ID}`, undefined, ['region']],
  ['operation: a bad id', 'GET', '/v1/regions/eu-west/operations/7', undefined, ['operationId']],
  [
    'audit: every bad filter',
    'GET',
    '/v1/audit?actor=A%20B&type=drain&region=EU&release=9&since=monday&limit=501&offset=-1&x=1',
    undefined,
    ['actor', 'limit', 'offset', 'region', 'release', 'since', 'type', 'x'],
  ],
  ['audit: a non-numeric limit', 'GET', '/v1/audit?limit=ten', undefined, ['limit']],
];

describe('bad input on the operator endpoints', () => {
  let db: TestDatabase;
  let api: Proc & { url: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = writeServicesConfig('http://127.0.0.1:1', ['eu-west'], { web: { canary: { region: 'eu-west' } } });
    api = await startApi({
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: dir,
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    await api?.kill();
    await db?.drop();
  });

  const counts = async () =>
    (
      await db.query(
        `SELECT (SELECT count(*) FROM releases)::int AS releases, (SELECT count(*) FROM release_events)::int AS events, (SELECT count(*) FROM region_operations)::int AS ops`,
      )
    )[0];

  for (const [what, method, path, body, fields] of CASES) {
    it(`${what} → 400 naming ${fields.join(', ')}`, async () => {
      const before = await counts();
      const res = await call<Problem>(api.url, method, path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.contentType).toMatch(/^application\/problem\+json/);
      expect([...new Set(res.body.errors!.map((e) => e.field))].sort()).toEqual([...fields].sort());
      for (const e of res.body.errors!) expect(e.message.length).toBeGreaterThan(3);
      expect(await counts()).toEqual(before);
    });
  }
});
