/**
 * POST /v1/releases over HTTP: a repeat with another payload (same Idempotency-Key or same
 * (service, releaseNumber)) and an older release number answer 409 problem+json naming the
 * fields and the release at odds, and write nothing; `allowOlder` is a deliberate roll back
 * recorded in the audit trail with the actor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api-client.js';
import { TEST_ACTOR } from '../support/auth.js';
import { writeConfig } from '../support/config-fixture.js';
import { startApi, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { fingerprint } from '../support/statement-faults.js';

interface Problem {
  status: number;
  detail: string;
  state?: string;
  errors?: Array<{ field: string; message: string }>;
  existingRelease?: { id: string; releaseNumber: number };
  newerRelease?: { id: string; releaseNumber: number; state: string };
}
type Release = { id: string; state: string; releaseNumber: number };

const body = (n: number, extra: Record<string, unknown> = {}) => ({
  service: 'checkout',
  version: `3.${n}.0`,
  image: `registry.example.com/shop/checkout:3.${n}.0`,
  releaseNumber: n,
  gitSha: 'abcdef1',
  ...extra,
});

describe('create conflicts on the releases API', () => {
  let db: TestDatabase;
  let api: Proc & { url: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    const configDir = writeConfig({
      simulatorUrl: 'http://127.0.0.1:1',
      canary: 'c1',
      waves: [{ name: 'wave-1', regions: ['r1'] }],
      services: ['checkout', 'search'],
    });
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

  const post = <T = Release>(b: unknown, key?: string) =>
    call<T>(api.url, 'POST', '/v1/releases', b, key ? { 'idempotency-key': key } : {});

  it('same Idempotency-Key: same body → 200 with the release; another image → 409 naming image and the release, nothing written', async () => {
    const created = await post(body(1), 'pipeline-41');
    expect(created.status).toBe(201);
    const same = await post({ ...body(1), requestedBy: 'someone-else' }, 'pipeline-41');
    expect(same.status).toBe(200);
    expect(same.body.id).toBe(created.body.id);

    const before = await fingerprint(db);
    const changed = await post<Problem>(body(1, { image: 'registry.example.com/shop/checkout:3.1.1' }), 'pipeline-41');
    expect(changed.status).toBe(409);
    expect(changed.contentType).toContain('application/problem+json');
    expect(changed.body.errors?.map((e) => e.field)).toEqual(['image']);
    expect(changed.body.errors?.[0]?.message).toContain('registry.example.com/shop/checkout:3.1.0');
    expect(changed.body.existingRelease?.id).toBe(created.body.id);
    expect(changed.body.detail).toContain(created.body.id);
    expect(await fingerprint(db)).toEqual(before);
  });

  it('same (service, releaseNumber) with another version → 409 naming version; nothing written', async () => {
    const before = await fingerprint(db);
    const res = await post<Problem>(body(1, { version: '3.1.0-hotfix' }));
    expect(res.status).toBe(409);
    expect(res.body.errors?.map((e) => e.field)).toEqual(['version']);
    expect(await fingerprint(db)).toEqual(before);
  });

  it('concurrent identical creates make one release (one 201, the rest 200)', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(body(2, { service: 'search' }), 'search-run-2')));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM releases WHERE service = 'search'`);
    expect(row!.n).toBe(1);
  });

  it('an older release number → 409 naming the newer release; allowOlder: true creates it, recorded with the actor', async () => {
    const eight = await post(body(8));
    expect(eight.status).toBe(201);
    const before = await fingerprint(db);
    const seven = await post<Problem>(body(7));
    expect(seven.status).toBe(409);
    expect(seven.body.newerRelease).toMatchObject({ id: eight.body.id, releaseNumber: 8, state: eight.body.state });
    expect(seven.body.errors?.map((e) => e.field)).toEqual(['releaseNumber']);
    expect(seven.body.detail).toMatch(/allowOlder/);
    expect(await fingerprint(db)).toEqual(before);

    const bad = await post<Problem>(body(7, { allowOlder: 'yes' }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.field)).toEqual(['allowOlder']);

    const deliberate = await post(body(7, { allowOlder: true }));
    expect(deliberate.status).toBe(201);
    const audit = await call<{
      items: Array<{ type: string; actor: string; releaseId: string; reason: string; data: Record<string, unknown> }>;
    }>(api.url, 'GET', `/v1/audit?release=${deliberate.body.id}&type=release.created`);
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      actor: TEST_ACTOR,
      reason: expect.stringMatching(/deliberately older than release #8/),
      data: { allowOlder: true },
    });
  });
});
