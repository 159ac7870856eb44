/**
 * A real SIGKILL between the statements of a restore that supersedes a drain (issue 15 item 3):
 * the API is held by Postgres after it marked the drain superseded and before the restore row
 * is in, then killed. The drain must still be in flight and no restore recorded; a restore asked
 * again after a restart supersedes it properly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api-client.js';
import { writeConfig } from '../support/config-fixture.js';
import { startApi, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { fingerprint } from '../support/statement-faults.js';

const HOLD_KEY = 424242;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('SIGKILL between the statements of a restore that supersedes a drain', () => {
  let db: TestDatabase;
  let holder: pg.Client;
  let api: Proc & { url: string };
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = writeConfig({ simulatorUrl: 'http://127.0.0.1:1', canary: 'c1', waves: [{ name: 'wave-1', regions: ['r1'] }] });
    const regions = JSON.parse(readFileSync(join(dir, 'regions.yaml'), 'utf8')) as { regions: Array<Record<string, unknown>> };
    for (const r of regions.regions) r.traffic = { provider: 'simulator', url: 'http://127.0.0.1:1' };
    writeFileSync(join(dir, 'regions.yaml'), JSON.stringify(regions));
    env = { DATABASE_URL: db.url, REDIS_URL, TIDELINE_QUEUE_PREFIX: uniquePrefix(), TIDELINE_CONFIG_DIR: dir, LOG_LEVEL: 'info' };
    api = await startApi(env); // no worker: the drain stays in flight
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
  });

  afterAll(async () => {
    await api?.kill();
    await holder?.end();
    await db?.drop();
  });

  it('leaves the drain in flight and no restore; after a restart the restore supersedes it whole', async () => {
    const drain = await call<{ operation: { id: string; state: string } }>(api.url, 'POST', '/v1/regions/r1/drain', {
      reason: 'maintenance',
    });
    expect(drain.status, JSON.stringify(drain.body)).toBe(202);

    // Test scaffolding: a restore row's INSERT waits for a lock this test holds.
    await db.query(`CREATE FUNCTION hold_restore() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.kind = 'restore' THEN PERFORM pg_advisory_xact_lock(${HOLD_KEY}); END IF; RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER hold_restore BEFORE INSERT ON region_operations FOR EACH ROW EXECUTE FUNCTION hold_restore()`);
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD_KEY]);
    const before = await fingerprint(db);

    const restore = call(api.url, 'POST', '/v1/regions/r1/restore', { reason: 'done' }).catch((e: unknown) => e);
    // The API has sent the statement superseding the drain and waits inside the restore's INSERT.
    const [held] = await until('the restore INSERT to wait', () =>
      db
        .query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO "region_operations"%'`,
          [db.name],
        )
        .then((rows) => rows.length > 0 && rows),
    );
    expect(held).toBeDefined();
    await api.kill('SIGKILL');
    expect(await restore).toBeInstanceOf(Error); // the client saw the connection die, not an answer
    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD_KEY]);
    // Postgres ends the dead API's sessions (the held one finds its client gone and rolls back).
    const ours = [
      (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid,
      (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid,
    ];
    await until('the killed API sessions to end', () =>
      db
        .query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND NOT (pid = ANY($2::int[]))`, [
          db.name,
          ours,
        ])
        .then((r) => r[0]!.n === 0),
    );

    const rows = await db.query<{ id: string; kind: string; state: string }>(
      `SELECT id, kind, state FROM region_operations ORDER BY requested_at`,
    );
    expect(rows).toEqual([{ id: drain.body.operation.id, kind: 'drain', state: 'pending' }]); // not superseded without its restore
    expect(await fingerprint(db)).toEqual(before);

    await db.query(`DROP TRIGGER hold_restore ON region_operations`);
    api = await startApi(env);
    const again = await call(api.url, 'POST', '/v1/regions/r1/restore', { reason: 'done' });
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    const after = await db.query<{ kind: string; state: string; note: string | null }>(
      `SELECT kind, state, note FROM region_operations ORDER BY requested_at`,
    );
    expect(after.map((r) => [r.kind, r.state])).toEqual([
      ['drain', 'superseded'],
      ['restore', 'pending'],
    ]);
    expect(after[0]!.note).toMatch(/superseded by a restore/);
  });
});
