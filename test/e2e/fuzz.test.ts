/**
 * Hostile input at the API edge: the defect classes of issue 15 one by one (NUL and lone
 * surrogates, ids past bigint, 403 before the body, 415, unknown query parameters, undecodable
 * paths, bad Content-Encoding, Node's parser errors, tokens in the URL kept out of the log),
 * then the property-based fuzzer over every operation of /docs/openapi.json (fixed seed).
 */
import { connect } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '#config';
import { runFuzz, send } from '../../bench/fuzz-engine.js';
import type { FuzzRequest } from '../../bench/fuzz-requests.js';
import { call } from '../support/api-client.js';
import { testAuth, TEST_TOKEN } from '../support/auth.js';
import { startApi, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { writeServicesConfig } from './multi-service-config.js';

const READ_TOKEN = 'tl_fuzz_read_7c1e55aa0b9d4f3e8a2b6c0d';
const SEED = Number(process.env.FUZZ_SEED ?? 15_015);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const rawRequest: FuzzRequest = {
  op: 'raw',
  method: 'GET',
  path: '/',
  headers: { authorization: `Bearer ${TEST_TOKEN}` },
  body: null,
  caller: 'admin',
  opMethod: 'GET',
  scopes: [],
  validCreate: false,
};
const image = (v: string) => `registry.example.com/shop/web:${v}`;

interface Problem {
  status: number;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

/** Write raw bytes on a socket and read what comes back until the server closes. */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => s.end(bytes));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error('no answer')));
  });
}

describe('hostile input at the API edge', () => {
  let db: TestDatabase;
  let api: Proc & { url: string };
  let releaseId: string;
  let operationId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = writeServicesConfig(
      'http://127.0.0.1:1',
      ['eu-west', 'us-east'],
      { web: { canary: { region: 'eu-west' }, waves: [{ name: 'rest', regions: ['us-east'] }] } },
      {
        auth: testAuth([{ name: 'viewer', scopes: ['read'], sha256: sha256Hex(READ_TOKEN) }]),
      },
    );
    const regionsFile = `${dir}/regions.yaml`;
    const regions = JSON.parse(readFileSync(regionsFile, 'utf8')) as { regions: Array<Record<string, unknown>> };
    regions.regions[0]!.traffic = { provider: 'simulator', url: 'http://127.0.0.1:1' };
    writeFileSync(regionsFile, JSON.stringify(regions));
    api = await startApi({
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: dir,
      LOG_LEVEL: 'info',
    });
    const created = await call<{ id: string }>(api.url, 'POST', '/v1/releases', {
      service: 'web',
      version: '1.0.0',
      image: image('1.0.0'),
      releaseNumber: 1,
    });
    expect(created.status).toBe(201);
    releaseId = created.body.id;
    const drain = await call<{ operation: { id: string } }>(api.url, 'POST', '/v1/regions/eu-west/drain', { reason: 'fuzz' });
    expect(drain.status).toBe(202);
    operationId = drain.body.operation.id;
  });

  afterAll(async () => {
    await api?.kill();
    await db?.drop();
  });

  const rows = async () =>
    (
      await db.query(
        `SELECT (SELECT count(*) FROM releases)::int AS r, (SELECT count(*) FROM release_events)::int AS e, (SELECT count(*) FROM region_operations)::int AS o`,
      )
    )[0];

  async function refused(
    method: string,
    path: string,
    body: unknown,
    status: number,
    field: string | null,
    headers: Record<string, string> = {},
  ) {
    const before = await rows();
    const res = await call<Problem>(api.url, method, path, body, headers);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    if (field !== null)
      expect(
        res.body.errors?.map((e) => e.field),
        JSON.stringify(res.body),
      ).toContain(field);
    expect(await rows()).toEqual(before);
    return res.body;
  }

  it('refuses NUL and lone surrogates in every string that reaches the database, naming the field', async () => {
    const good = { service: 'web', version: '2.0.0', image: image('2.0.0'), releaseNumber: 2 };
    await refused('POST', '/v1/releases', { ...good, requestedBy: 'ci\u0000' }, 400, 'requestedBy');
    await refused('POST', '/v1/releases', { ...good, requestedBy: 'x\ud800y' }, 400, 'requestedBy');
    await refused('POST', '/v1/releases', good, 400, 'Idempotency-Key', { 'idempotency-key': 'a b' });
    for (const action of ['pause', 'resume', 'approve', 'promote', 'rollback', 'cancel', 'retry']) {
      await refused('POST', `/v1/releases/${releaseId}/${action}`, { reason: 'because\u0000' }, 400, 'reason');
      await refused('POST', `/v1/releases/${releaseId}/${action}`, { reason: '\udc00' }, 400, 'reason');
    }
    for (const kind of ['drain', 'restore']) await refused('POST', `/v1/regions/us-east/${kind}`, { reason: 'a\u0000' }, 400, 'reason');
    await refused('GET', `/v1/releases/${releaseId}/gates?gate=err%00`, undefined, 400, 'gate');
    await refused('GET', '/v1/releases?service=%00', undefined, 400, 'service');
    await refused('GET', `/v1/releases/%00`, undefined, 400, 'id');
  });

  it('bounds every number: ids past bigint, offsets, limits, release numbers', async () => {
    await refused('GET', `/v1/releases/${releaseId}/events?after=9223372036854775808`, undefined, 400, 'after');
    await refused('GET', `/v1/releases/${releaseId}/gates?after=99999999999999999999`, undefined, 400, 'after');
    expect((await call(api.url, 'GET', `/v1/releases/${releaseId}/events?after=9223372036854775807`)).status).toBe(200);
    await refused('GET', '/v1/releases?offset=99999999999', undefined, 400, 'offset');
    await refused('GET', '/v1/audit?offset=1e300', undefined, 400, 'offset');
    await refused('GET', '/v1/notifications?limit=1e400', undefined, 400, 'limit');
    await refused(
      'POST',
      '/v1/releases',
      '{"service":"web","version":"3.0.0","image":"registry.example.com/shop/web:3.0.0","releaseNumber":1e400}',
      400,
      'releaseNumber',
    );
  });

  it('checks the scope before reading the body: 403 for a malformed or oversized body, 401 without a token', async () => {
    const viewer = { authorization: `Bearer ${READ_TOKEN}` };
    await refused('POST', '/v1/releases', '{"service":', 403, null, viewer);
    await refused('POST', `/v1/releases/${releaseId}/pause`, { reason: 'x'.repeat(400_000) }, 403, null, viewer);
    await refused('POST', '/v1/regions/eu-west/drain', 'not json', 403, null, { ...viewer, 'content-type': 'text/plain' });
    await refused('POST', '/v1/releases', { reason: 'x'.repeat(400_000) }, 401, null, { authorization: '' });
    await refused('POST', `/v1/releases/${releaseId}/pause`, { reason: 'x'.repeat(400_000) }, 413, '(body)');
  });

  it('refuses what is not JSON with 415, and unknown query parameters on every endpoint', async () => {
    const before = await call<{ state: string }>(api.url, 'GET', `/v1/releases/${releaseId}`);
    await refused('POST', `/v1/releases/${releaseId}/pause`, 'reason=checking', 415, 'Content-Type', { 'content-type': 'text/plain' });
    await refused('POST', `/v1/releases/${releaseId}/pause`, '{"reason":"x"}', 415, 'Content-Type', {
      'content-type': 'application/json; charset=latin1',
    });
    await refused('POST', '/v1/releases', '{}', 415, 'Content-Type', { 'content-type': 'application/x-www-form-urlencoded' });
    expect((await call<{ state: string }>(api.url, 'GET', `/v1/releases/${releaseId}`)).body.state).toBe(before.body.state);
    await refused(
      'POST',
      '/v1/releases?dryRun=1',
      { service: 'web', version: '4.0.0', image: image('4.0.0'), releaseNumber: 4 },
      400,
      'dryRun',
    );
    await refused('GET', `/v1/releases/${releaseId}?expand=all`, undefined, 400, 'expand');
    await refused('POST', `/v1/releases/${releaseId}/pause?force=true`, { reason: 'x' }, 400, 'force');
    await refused('GET', '/v1/regions?all=1', undefined, 400, 'all');
    await refused('GET', `/v1/regions/eu-west/operations/${operationId}?x=1`, undefined, 400, 'x');
    // charset utf-8 is JSON
    expect((await call(api.url, 'GET', `/v1/releases/${releaseId}`, undefined)).status).toBe(200);
  });

  it('answers problem+json for undecodable paths, bad encodings, unknown routes and methods, and parser errors', async () => {
    await refused('GET', '/v1/releases/%E0%A4%A', undefined, 400, 'id');
    await refused('GET', `/v1/regions/%E0%A4%A/operations/${operationId}`, undefined, 400, 'region');
    await refused('POST', `/v1/releases/${releaseId}/pause`, '{"reason":"x"}', 415, 'Content-Encoding', { 'content-encoding': 'compress' });
    await refused('POST', `/v1/releases/${releaseId}/pause`, '{"reason":"x"}', 400, 'Content-Encoding', { 'content-encoding': 'gzip' });
    const notUtf8 = await send(api.url, {
      ...rawRequest,
      method: 'POST',
      path: `/v1/releases/${releaseId}/pause`,
      headers: { ...rawRequest.headers, 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x22, 0x72, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    });
    expect(notUtf8.status).toBe(400);
    expect((JSON.parse(notUtf8.text) as Problem).errors![0]).toEqual({ field: '(body)', message: 'must be valid UTF-8' });
    await refused('GET', '/v1/nothing-here', undefined, 404, null);
    const put = await call<Problem>(api.url, 'PUT', `/v1/releases/${releaseId}`, { x: 1 });
    expect(put.status).toBe(405);
    expect(put.contentType).toMatch(/^application\/problem\+json/);
    for (const [bytes, status, field] of [
      ['GET /v1/releases HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400, '(headers)'],
      ['NOT-HTTP\r\n\r\n', 400, '(request)'],
      [`GET /v1/releases HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, '(headers)'],
      ['POST /v1/releases HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400, '(headers)'],
    ] as const) {
      const answer = await raw(api.url, bytes);
      expect(answer, bytes.slice(0, 40)).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(answer).toMatch(/Content-Type: application\/problem\+json/);
      const problem = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Problem;
      expect(problem.status).toBe(status);
      expect(problem.errors![0]!.field).toBe(field);
    }
    expect((await call(api.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('keeps tokens sent in the URL out of the access log', async () => {
    const leaked = 'tl_url_token_3b9f00d1c2e4a5b6c7d8e9f0';
    await call(api.url, 'GET', `/v1/releases?access_token=${leaked}&limit=5`);
    await call(api.url, 'GET', `/v1/releases/${releaseId}/events?token=${leaked}`);
    await call(api.url, 'GET', `/v1/regions?api_key=${leaked}`, undefined, { authorization: '' });
    await call(api.url, 'GET', `/v1/releases?${leaked}`);
    const out = api.output();
    expect(out).toMatch(/"url":"\/v1\/releases\?access_token=\[redacted\]&limit=5"/);
    expect(out).not.toContain(leaked);
    expect(out).not.toContain(TEST_TOKEN);
    expect(out).not.toContain(READ_TOKEN);
  });

  it(`fuzz: ${RUNS} hostile requests over every operation of /docs/openapi.json (seed ${SEED})`, { timeout: 240_000 }, async () => {
    const report = await runFuzz({
      onFailure: () =>
        console.error(
          api
            .output()
            .split('\n')
            .filter((l) => l.includes('"level":50'))
            .slice(-3)
            .join('\n')
            .slice(0, 6000),
        ),
      base: api.url,
      runs: RUNS,
      seed: SEED,
      apiPid: api.child.pid!,
      query: (sql, params) => db.query(sql, params),
      ctx: {
        pathValues: { id: releaseId, region: 'eu-west', operationId },
        tokens: { admin: TEST_TOKEN, read: READ_TOKEN },
        service: 'web',
        image,
      },
    });
    console.log(
      `fuzz seed ${SEED}: ${report.sent} requests over ${report.operations} operations in ${report.ms} ms (${report.fingerprintMs} ms fingerprinting); by status ${JSON.stringify(report.byStatus)}; ${report.creates} valid creates; API RSS ${report.rssKiB.start} → max ${report.rssKiB.max} KiB`,
    );
    expect(report.operations).toBeGreaterThanOrEqual(20);
    expect(report.creates).toBeGreaterThan(0);
    expect(Object.keys(report.byStatus).every((s) => Number(s) < 500)).toBe(true);
    expect(report.rssKiB.max).toBeLessThan(Math.max(report.rssKiB.start * 3, 400_000));
    expect((await call(api.url, 'GET', '/healthz')).status).toBe(200);
    expect(api.child.exitCode).toBeNull();
    expect(api.output()).not.toContain(TEST_TOKEN);
  });
});
