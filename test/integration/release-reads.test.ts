/**
 * The plain-SQL read paths (release-reads.ts) hand back exactly what TypeORM's entity reads
 * did — one release, its targets in order, a page of summaries with its total — on real
 * Postgres and on embedded PGlite, whatever state the rows are in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRelease } from '#application';
import { loadConfig } from '#config';
import {
  createDataSource,
  Db,
  readRelease,
  readReleaseWithTargets,
  readSummaries,
  readTargets,
  ReleaseEntity,
  ReleaseStore,
  TargetEntity,
  type ReleaseRecord,
  type TargetRecord,
} from '#persistence';
import { createHash } from 'node:crypto';
import { writeConfig } from '../support/config-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

const config = () =>
  loadConfig(
    writeConfig({
      simulatorUrl: 'http://127.0.0.1:1',
      canary: 'c1',
      waves: [{ name: 'wave-1', regions: ['r2', 'r1', 'eu-west', 'euwest'] }],
      services: ['checkout', 'search'],
    }),
  );

/** The id planned-targets.ts gives a target: md5 of `release id/region`, as a uuid. */
const targetId = (releaseId: string, region: string) =>
  createHash('md5')
    .update(`${releaseId}/${region}`)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

/** The databases here collate C (byte order); the stage comes first (c1 is the canary). */
const collate = (a: string, b: string) => (a === 'c1' ? -1 : b === 'c1' ? 1 : a < b ? -1 : a > b ? 1 : 0);

/** What the list used to compute from a whole record. */
const summaryOf = (r: ReleaseRecord) => ({
  id: r.id,
  service: r.service,
  version: r.version,
  image: r.image,
  releaseNumber: r.releaseNumber,
  gitSha: r.gitSha,
  requestedBy: r.requestedBy,
  state: r.state,
  stateReason: r.stateReason,
  pausedAt: r.pausedAt,
  currentStage: r.plan.stages[r.stageIndex]?.name ?? null,
  approvedStage: r.approvedStageIndex === null ? null : (r.plan.stages[r.approvedStageIndex]?.name ?? null),
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  endedAt: r.endedAt,
  updatedAt: r.updatedAt,
});

function suite(name: string, open: () => Promise<{ db: Db; close(): Promise<void> }>) {
  describe(`release reads as plain SQL: ${name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    const ids: string[] = [];
    /** what each create answered, and its rows as read back right after it */
    const created: Array<{
      answered: { release: ReleaseRecord; targets?: unknown };
      stored: { release: unknown; targets: TargetRecord[]; read: TargetRecord[] };
    }> = [];

    beforeAll(async () => {
      ({ db, close } = await open());
      await db.dataSource.runMigrations({ transaction: 'each' });
      const store = new ReleaseStore(db);
      const create = new CreateRelease(config(), store, { enqueueTick: async () => undefined } as never);
      for (let n = 1; n <= 7; n++) {
        const service = n % 2 ? 'checkout' : 'search';
        const outcome = await create.execute({
          service,
          version: `1.${n}.0`,
          image: `registry.example.com/shop/${service}:1.${n}.0`,
          releaseNumber: n,
          actor: 'ci',
          ...(n === 3 ? { gitSha: 'abcdef1', requestedBy: 'someone' } : {}),
        });
        const m = db.dataSource.manager;
        const stored = {
          release: await m.getRepository(ReleaseEntity).findOneBy({ id: outcome.release.id }),
          targets: await m
            .getRepository(TargetEntity)
            .find({ where: { releaseId: outcome.release.id }, order: { stageIndex: 'ASC', region: 'ASC' } }),
          read: await readTargets(m, outcome.release.id),
        };
        created.push({ answered: outcome, stored });
        ids.push(outcome.release.id);
      }
      // Rows in every shape a list or a detail shows: past the last stage, approved, paused, drained, gated.
      await db.dataSource.query(`UPDATE releases SET stage_index = 2, state = 'succeeded', ended_at = now() WHERE id = $1`, [ids[0]]);
      await db.dataSource.query(`UPDATE releases SET stage_index = 1, approved_stage_index = 1, paused_at = now() WHERE id = $1`, [ids[1]]);
      await db.dataSource.query(
        `UPDATE region_targets SET state = 'verified', previous = $2::jsonb, gate_status = $3::jsonb, drain = $4::jsonb, verified_at = now()
         WHERE release_id = $1 AND region = 'r1'`,
        [
          ids[1],
          JSON.stringify([
            { workload: { namespace: 'shop', deployment: 'd', container: 'c' }, image: 'x:1', podTemplate: {}, deploymentLabels: {} },
          ]),
          JSON.stringify({ errors: { lastVerdict: 'pass', evaluations: 3, failed: 0 } }),
          JSON.stringify({ startedAtMs: 1, previousWeight: 50, preDrainRate: 2.5, lastRate: 0, drainedAtMs: 9, note: null }),
        ],
      );
    });

    afterAll(async () => close?.());

    it('a create answers the release, its targets and its events exactly as they were stored (one statement)', async () => {
      const m = db.dataSource.manager;
      expect(created).toHaveLength(7);
      for (const { answered, stored } of created) {
        const { release, targets } = answered;
        expect(release).toEqual(stored.release);
        if (release.state === 'queued') {
          // no rows until it starts: its targets are its plan's, with the ids their rows will get
          expect(stored.targets).toEqual([]);
          expect(targets).toEqual(stored.read);
          expect(stored.read.map((t) => [t.id, t.state, t.updatedAt])).toEqual(
            stored.read.map((t) => [targetId(release.id, t.region), 'pending', release.updatedAt]),
          );
        } else {
          expect(targets).toEqual(stored.targets);
          expect(stored.targets.map((t) => t.id)).toEqual(stored.targets.map((t) => targetId(release.id, t.region)));
        }
        expect(targets).toHaveLength(5);
        const events = (await m.query(`SELECT type, actor, to_state FROM release_events WHERE release_id = $1 ORDER BY id`, [
          release.id,
        ])) as Array<{ type: string; actor: string; to_state: string | null }>;
        expect(events.map((e) => e.type)).toEqual(release.state === 'running' ? ['release.created', 'stage.started'] : ['release.created']);
        expect(events[0]).toMatchObject({ actor: 'ci', to_state: release.state });
      }
    });

    it('reads a release and its targets as the entity reads did', async () => {
      const m = db.dataSource.manager;
      for (const id of ids) {
        const entity = await m.getRepository(ReleaseEntity).findOneBy({ id });
        expect(await readRelease(m, id)).toEqual(entity);
        expect(await new ReleaseStore(db).get(id)).toEqual(entity); // Db.plain: the pg pool itself (PGlite: TypeORM)
        expect(await new ReleaseStore(db).targets(id)).toEqual(await readTargets(m, id));
        const targets = await readTargets(m, id);
        const rows = await m.getRepository(TargetEntity).find({ where: { releaseId: id }, order: { stageIndex: 'ASC', region: 'ASC' } });
        if (entity!.startedAt === null) {
          expect(rows).toEqual([]); // queued: planned targets (release-reads above), not rows
          expect(targets.map((t) => t.region)).toEqual(['c1', 'eu-west', 'euwest', 'r1', 'r2'].sort(collate));
        } else expect(targets).toEqual(rows);
        expect(targets.length).toBe(5);
        // GET /v1/releases/:id: both in one statement (targets through JSON), the same records
        const both = { release: entity, targets };
        expect(await new ReleaseStore(db).getWithTargets(id)).toEqual(both);
        expect(await readReleaseWithTargets(m, id)).toEqual(both);
      }
      expect(await readRelease(m, '00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await new ReleaseStore(db).getWithTargets('00000000-0000-4000-8000-000000000000')).toBeNull();
    });

    it('pages summaries newest first with the total, filtered, and past the last page', async () => {
      const m = db.dataSource.manager;
      const filters = [
        { limit: 50, offset: 0 },
        { limit: 2, offset: 1 },
        { limit: 3, offset: 0, service: 'search' },
        { limit: 50, offset: 0, state: 'queued' as const },
        { limit: 50, offset: 0, service: 'checkout', state: 'succeeded' as const },
        { limit: 5, offset: 100 },
        { limit: 5, offset: 0, service: 'nothing' },
      ];
      for (const filter of filters) {
        const where: Record<string, string> = {};
        if (filter.service) where.service = filter.service;
        if (filter.state) where.state = filter.state;
        const [items, total] = await m
          .getRepository(ReleaseEntity)
          .findAndCount({ where, order: { createdAt: 'DESC', id: 'DESC' }, take: filter.limit, skip: filter.offset });
        expect(await readSummaries(m, filter), JSON.stringify(filter)).toEqual({ items: items.map(summaryOf), total });
      }
      const page = await readSummaries(m, { limit: 50, offset: 0 });
      expect(page.items.find((s) => s.id === ids[0])).toMatchObject({ currentStage: null, state: 'succeeded' });
      expect(page.items.find((s) => s.id === ids[1])).toMatchObject({ currentStage: 'wave-1', approvedStage: 'wave-1' });
    });
  });
}

suite('Postgres', async () => {
  const tdb: TestDatabase = await createTestDatabase();
  const db = new Db(await createDataSource({ kind: 'server', url: tdb.url }), false);
  return { db, close: async () => (await db.close(), await tdb.drop()) };
});

suite('PGlite', async () => {
  const db = new Db(await createDataSource({ kind: 'embedded' }), true);
  return { db, close: () => db.close() };
});
