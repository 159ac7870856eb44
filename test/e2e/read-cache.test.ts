/**
 * What a reader sees through the API's read cache (TIDELINE_API_READ_CACHE_MS): a commit made
 * elsewhere (a worker; here straight into Postgres) shows within the TTL and not later, and at
 * once to a request with Cache-Control: no-cache; a write through the API shows at once; 0 turns
 * the cache off. The API runs without a worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api-client.js';
import { writeConfig } from '../support/config-fixture.js';
import { startApi, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

const TTL_MS = 1_500;

interface Detail {
  id: string;
  state: string;
  stateReason: string | null;
}
interface Page {
  items: Detail[];
  total: number;
}

describe('the API read cache', () => {
  let db: TestDatabase;
  let cached: Proc & { url: string };
  let uncached: Proc & { url: string };
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    const configDir = writeConfig({ simulatorUrl: 'http://127.0.0.1:1', canary: 'c1', waves: [{ name: 'wave-1', regions: ['r1'] }] });
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: configDir,
      LOG_LEVEL: 'info',
    };
    [cached, uncached] = await Promise.all([
      startApi({ ...env, TIDELINE_API_READ_CACHE_MS: String(TTL_MS) }),
      startApi({ ...env, TIDELINE_API_READ_CACHE_MS: '0' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([cached?.kill(), uncached?.kill()]);
    await db?.drop();
  });

  async function newRelease(): Promise<string> {
    await db.query(`UPDATE releases SET state = 'cancelled' WHERE state IN ('running','paused','awaiting_approval','rolling_back')`);
    n++;
    const res = await call<Detail>(cached.url, 'POST', '/v1/releases', {
      service: 'checkout',
      version: `1.0.${n}`,
      image: `registry.example.com/shop/checkout:1.0.${n}`,
      releaseNumber: n,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  }

  it('a commit made elsewhere shows within the TTL, never later', async () => {
    const id = await newRelease();
    expect((await call<Detail>(cached.url, 'GET', `/v1/releases/${id}`)).body.state).toBe('running');
    const list0 = await call<Page>(cached.url, 'GET', '/v1/releases?service=checkout');
    expect(list0.body.items[0]!.stateReason).toBeNull();

    const committed = Date.now();
    await db.query(`UPDATE releases SET state_reason = 'written by a worker', row_version = row_version + 1 WHERE id = $1`, [id]);
    // the uncached API sees it at once; the cached one may still answer what it read before
    expect((await call<Detail>(uncached.url, 'GET', `/v1/releases/${id}`)).body.stateReason).toBe('written by a worker');
    // the cached one does answer what it read before (it is a cache), for a while
    expect((await call<Detail>(cached.url, 'GET', `/v1/releases/${id}`)).body.stateReason).toBeNull();
    // unless asked for a fresh answer, as the dashboard does for the snapshot its live stream starts from
    const fresh = { 'cache-control': 'no-cache' };
    expect((await call<Detail>(cached.url, 'GET', `/v1/releases/${id}`, undefined, fresh)).body.stateReason).toBe('written by a worker');
    expect((await call<Page>(cached.url, 'GET', '/v1/releases?service=checkout', undefined, fresh)).body.items[0]!.stateReason).toBe(
      'written by a worker',
    );
    for (;;) {
      const [one, page] = await Promise.all([
        call<Detail>(cached.url, 'GET', `/v1/releases/${id}`),
        call<Page>(cached.url, 'GET', '/v1/releases?service=checkout'),
      ]);
      if (one.body.stateReason === 'written by a worker' && page.body.items[0]!.stateReason === 'written by a worker') break;
      expect(Date.now() - committed, 'still the old answer past the TTL').toBeLessThan(TTL_MS + 500);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('a write through the API shows at once in its answers, the release and the list', async () => {
    const id = await newRelease();
    const before = await call<Page>(cached.url, 'GET', '/v1/releases?service=checkout');
    expect(before.body.items[0]!.id).toBe(id);
    expect((await call<Detail>(cached.url, 'GET', `/v1/releases/${id}`)).body.state).toBe('running');

    const paused = await call<{ release: Detail }>(cached.url, 'POST', `/v1/releases/${id}/pause`, { reason: 'looking at it' });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect((await call<Detail>(cached.url, 'GET', `/v1/releases/${id}`)).body.state).toBe('paused');
    expect((await call<Page>(cached.url, 'GET', '/v1/releases?service=checkout')).body.items[0]!.state).toBe('paused');

    // a new release created through the API is in the next page read at once
    const next = await newRelease();
    const page = await call<Page>(cached.url, 'GET', '/v1/releases?service=checkout');
    expect(page.body.items[0]!.id).toBe(next);
    expect(page.body.total).toBe(before.body.total + 1);
  });

  it('answers the same bytes and headers as without the cache, and a 404 is not kept', async () => {
    const id = await newRelease();
    const direct = await call<Detail>(uncached.url, 'GET', `/v1/releases/${id}`);
    const first = await call<Detail>(cached.url, 'GET', `/v1/releases/${id}`);
    const kept = await call<Detail>(cached.url, 'GET', `/v1/releases/${id}`);
    for (const r of [direct, first, kept]) expect(r.contentType).toBe('application/json; charset=utf-8');
    expect(first.body).toEqual(direct.body);
    expect(kept.body).toEqual(direct.body);

    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await call(cached.url, 'GET', `/v1/releases/${missing}`)).status).toBe(404);
    expect((await call(cached.url, 'GET', `/v1/releases/${missing}`)).status).toBe(404);
  });
});
