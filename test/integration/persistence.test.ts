/**
 * Real Postgres (and Redis for the tick queue): migrations up and down, idempotent create,
 * one active release per service with the rest queued in order, the append-only audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { CancelRelease, CreateRelease, QUEUES, tickJobId, ValidationError } from '#application';
import { loadConfig, type TidelineConfig } from '#config';
import { JobQueues, redisConnection } from '#integrations';
import { createDataSource, Db, ReleaseStore } from '#persistence';
import { writeConfig } from '../support/config-fixture.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

describe('persistence on real Postgres', () => {
  let tdb: TestDatabase;
  let db: Db;
  let store: ReleaseStore;
  let queues: JobQueues;
  let config: TidelineConfig;
  let create: CreateRelease;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = new Db(await createDataSource({ kind: 'server', url: tdb.url }), false);
    await db.dataSource.runMigrations({ transaction: 'each' });
    store = new ReleaseStore(db);
    queues = new JobQueues(redisConnection(REDIS_URL), prefix);
    config = loadConfig(
      writeConfig({
        simulatorUrl: 'http://127.0.0.1:1',
        canary: 'c1',
        waves: [{ name: 'wave-1', regions: ['r1', 'r2'] }],
        services: ['checkout', 'search', 'cart', 'billing'],
        supersede: ['cart'],
      }),
    );
    create = new CreateRelease(config, store, queues);
  });

  afterAll(async () => {
    await queues?.queue(QUEUES.releases).obliterate({ force: true });
    await queues?.close();
    await db?.close();
    await tdb?.drop();
  });

  const cmd = (service: string, n: number, extra: Partial<Parameters<CreateRelease['execute']>[0]> = {}) => ({
    service,
    version: `1.${n}.0`,
    image: `registry.example.com/shop/${service}:1.${n}.0`,
    releaseNumber: n,
    actor: 'ci',
    ...extra,
  });

  it('migrates down and up again', async () => {
    const tables = async () =>
      (
        await tdb.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)
      ).map((r) => r.table_name);
    expect(await tables()).toEqual(
      expect.arrayContaining(['gate_evaluations', 'migrations', 'region_operations', 'region_targets', 'release_events', 'releases']),
    );
    const all = await tables();
    for (let i = 0; i < db.dataSource.migrations.length; i++) await db.dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual(['migrations']);
    await db.dataSource.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(all);
    expect(await db.dataSource.showMigrations()).toBe(false);
  });

  it('creates a running release with pending targets, an event and its first tick job', async () => {
    const { release, created } = await create.execute(cmd('checkout', 1));
    expect(created).toBe(true);
    expect(release.state).toBe('running');
    const targets = await store.targets(release.id);
    expect(targets.map((t) => [t.stageIndex, t.region, t.state])).toEqual([
      [0, 'c1', 'pending'],
      [1, 'r1', 'pending'],
      [1, 'r2', 'pending'],
    ]);
    expect((await store.events(release.id)).map((e) => e.type)).toEqual(['release.created', 'stage.started']);
    const queue = new Queue(QUEUES.releases, { connection: redisConnection(REDIS_URL), prefix });
    const job = await queue.getJob(tickJobId(release.id, release.tickSeq));
    await queue.close();
    expect(job?.data).toEqual({ releaseId: release.id, seq: release.tickSeq });
  });

  it('is idempotent by Idempotency-Key and by (service, releaseNumber), also under concurrency', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => create.execute(cmd('checkout', 2, { idempotencyKey: 'ci-run-77' }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.release.id)).size).toBe(1);
    const again = await create.execute(cmd('checkout', 2));
    expect(again.created).toBe(false);
    expect(again.release.id).toBe(results[0]!.release.id);
    // the same key with another payload is refused, naming the release it already names
    await expect(create.execute(cmd('checkout', 99, { idempotencyKey: 'ci-run-77' }))).rejects.toThrow(
      new RegExp(`already names release ${results[0]!.release.id}`),
    );
    const rows = await tdb.query<{ n: number }>(`SELECT count(*)::int AS n FROM releases WHERE release_number IN (2, 99)`);
    expect(rows[0]!.n).toBe(1);
  });

  it('queues releases behind the active one and starts them oldest first', async () => {
    const a = (await create.execute(cmd('search', 1))).release;
    const b = (await create.execute(cmd('search', 2))).release;
    const c = (await create.execute(cmd('search', 3))).release;
    expect([a.state, b.state, c.state]).toEqual(['running', 'queued', 'queued']);
    expect(await store.promoteNextQueued('search')).toBeNull();
    // a queued release has no target rows: its targets are its plan's, pending, with the ids their rows will get
    const rowsOf = async (id: string) =>
      (
        await tdb.query<{ id: string; region: string; state: string }>(
          `SELECT id, region, state FROM region_targets WHERE release_id = $1 ORDER BY stage_index, region`,
          [id],
        )
      ).map((t) => [t.id, t.region, t.state]);
    expect(await rowsOf(b.id)).toEqual([]);
    const planned = await store.targets(b.id);
    expect(planned.map((t) => [t.stageIndex, t.region, t.state])).toEqual([
      [0, 'c1', 'pending'],
      [1, 'r1', 'pending'],
      [1, 'r2', 'pending'],
    ]);

    await store.applyStep(a, { release: { state: 'succeeded', endedAt: new Date() }, targets: [], events: [] });
    const next = await store.promoteNextQueued('search');
    expect(next?.id).toBe(b.id);
    expect(next?.state).toBe('running');
    // the commit that started it wrote its targets, with the ids it showed while queued
    expect(await rowsOf(b.id)).toEqual(planned.map((t) => [t.id, t.region, 'pending']));
    expect((await store.getWithTargets(b.id))?.targets).toEqual(await store.targets(b.id));
    expect(await rowsOf(c.id)).toEqual([]);
    expect((await store.get(c.id))?.state).toBe('queued');
    expect(await store.promoteNextQueued('search')).toBeNull();
    expect(await store.servicesWaitingForPromotion()).not.toContain('search');
  });

  it('with onConcurrent: supersede, a new release replaces every release still waiting', async () => {
    const a = (await create.execute(cmd('cart', 1))).release;
    const b = (await create.execute(cmd('cart', 2))).release;
    expect([a.state, b.state]).toEqual(['running', 'queued']);
    const c = (await create.execute(cmd('cart', 3))).release;
    expect(c.state).toBe('queued');
    const d = (await create.execute(cmd('cart', 4))).release;
    expect(d.state).toBe('queued');
    expect((await store.get(a.id))?.state).toBe('running');
    for (const [old, by] of [
      [b, 3],
      [c, 4],
    ] as const) {
      const r = (await store.get(old.id))!;
      expect(r.state).toBe('superseded');
      expect(r.stateReason).toBe(`superseded by release number ${by} (1.${by}.0)`);
      expect(r.endedAt).not.toBeNull();
      expect((await store.targets(old.id)).map((t) => t.state)).toEqual(['skipped', 'skipped', 'skipped']);
      expect((await store.events(old.id)).at(-1)?.type).toBe('release.superseded');
    }
    expect((await store.list({ service: 'cart', state: 'queued', limit: 10, offset: 0 })).items.map((r) => r.id)).toEqual([d.id]);
  });

  it('a queued release cancelled shows its targets skipped; one queued with target rows (before 1796800000000) starts with those rows', async () => {
    const a = (await create.execute(cmd('billing', 1))).release;
    const b = (await create.execute(cmd('billing', 2))).release;
    const c = (await create.execute(cmd('billing', 3))).release;
    const cancel = new CancelRelease(db, store, { enqueueTick: async () => undefined } as never, { now: () => new Date() });
    await cancel.execute({ id: b.id, actor: 'alice' });
    expect((await store.get(b.id))?.state).toBe('cancelled');
    expect((await store.targets(b.id)).map((t) => [t.region, t.state])).toEqual([
      ['c1', 'skipped'],
      ['r1', 'skipped'],
      ['r2', 'skipped'],
    ]);
    // c as an earlier version wrote it: pending rows with ids of their own
    await tdb.query(
      `INSERT INTO region_targets (release_id, stage_index, region, state, workloads)
       SELECT r.id, (s.value->>'index')::int, g.value->>'region', 'pending', g.value->'workloads'
       FROM releases r, jsonb_array_elements(r.plan->'stages') s, jsonb_array_elements(s.value->'regions') g WHERE r.id = $1`,
      [c.id],
    );
    const legacy = await store.targets(c.id);
    expect(legacy).toHaveLength(3);
    await store.applyStep(a, { release: { state: 'succeeded', endedAt: new Date() }, targets: [], events: [] });
    expect((await store.promoteNextQueued('billing'))?.id).toBe(c.id);
    expect((await store.targets(c.id)).map((t) => [t.id, t.region, t.state])).toEqual(legacy.map((t) => [t.id, t.region, 'pending']));
  });

  it('refuses a second active release of a service at the database level', async () => {
    const running = (await store.list({ service: 'search', state: 'running', limit: 10, offset: 0 })).items[0]!;
    const queued = (await store.get((await store.list({ service: 'search', state: 'queued', limit: 10, offset: 0 })).items[0]!.id))!;
    expect(running).toBeDefined();
    await expect(store.applyStep(queued, { release: { state: 'running' }, targets: [], events: [] })).rejects.toThrow(
      /uq_releases_one_active_per_service/,
    );
  });

  it('refuses stale writes (row version) and keeps events append-only', async () => {
    const { release } = await create.execute(cmd('checkout', 3));
    await store.applyStep(release, { targets: [], events: [{ type: 'test.one', actor: 'test' }] });
    await expect(store.applyStep(release, { targets: [], events: [{ type: 'test.two', actor: 'test' }] })).rejects.toThrow(/changed while/);
    expect((await store.events(release.id)).map((e) => e.type)).not.toContain('test.two');
    await expect(tdb.query(`UPDATE release_events SET reason = 'x' WHERE release_id = $1`, [release.id])).rejects.toThrow(/append-only/);
    await expect(tdb.query(`DELETE FROM release_events WHERE release_id = $1`, [release.id])).rejects.toThrow(/append-only/);
  });

  it('refuses unknown services and mutable images without writing anything', async () => {
    const before = await tdb.query<{ n: number }>(`SELECT count(*)::int AS n FROM releases`);
    await expect(create.execute(cmd('nope', 1))).rejects.toThrow(ValidationError);
    await expect(create.execute({ ...cmd('checkout', 50), image: 'registry.example.com/shop/checkout:latest' })).rejects.toThrow(
      /image: tag "latest"/,
    );
    const after = await tdb.query<{ n: number }>(`SELECT count(*)::int AS n FROM releases`);
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});
