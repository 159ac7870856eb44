/**
 * Each app gets only what it needs: the API's container holds the API's parts and none of the
 * worker's (no engine, no notification destinations), the worker's the reverse, and the demo's
 * `all` both — built for real against Postgres and Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PARTS, buildContainer, WORKER_PARTS, type Role } from '#runtime';
import { writeConfig } from '../support/config-fixture.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

/** API parts that hand on an instance of the core, which every process holds. */
const FROM_CORE = ['requestRegionOperation', 'db', 'queues', 'telemetry'];

describe('containers by role', () => {
  let tdb: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    env = {
      ...process.env,
      DATABASE_URL: tdb.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: writeConfig({ simulatorUrl: 'http://127.0.0.1:1', canary: 'c1', waves: [{ name: 'wave-1', regions: ['r1'] }] }),
      LOG_LEVEL: 'silent',
    };
  });

  afterAll(async () => {
    await tdb?.drop();
  });

  const parts = async (role: Role) => {
    const c = await buildContainer('tideline-test', role, env);
    await c.close();
    const has = (keys: string[]) => keys.filter((k) => (c as Record<string, unknown>)[k] !== undefined);
    return { api: has(Object.keys(API_PARTS)), worker: has(Object.keys(WORKER_PARTS)) };
  };

  it('api: every API part, no worker part', async () => {
    expect(await parts('api')).toEqual({ api: Object.keys(API_PARTS), worker: [] });
  });

  it('worker: every worker part, of the API only what the core holds anyway', async () => {
    expect(await parts('worker')).toEqual({ api: FROM_CORE, worker: Object.keys(WORKER_PARTS) });
  });

  it('all: both', async () => {
    expect(await parts('all')).toEqual({ api: Object.keys(API_PARTS), worker: Object.keys(WORKER_PARTS) });
  });
});
