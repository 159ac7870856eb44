/** Reads and writes of drills; a drill's change and its events commit in one transaction. */
import type { EntityManager } from 'typeorm';
import type { Db } from './db.js';
import {
  DrillEntity,
  DrillEventEntity,
  IN_FLIGHT_DRILL_STATES,
  type DrillEventRecord,
  type DrillKind,
  type DrillRecord,
} from './drill-entities.js';
import { updateWhere } from './sql.js';

export type NewDrill = Pick<
  DrillRecord,
  'kind' | 'region' | 'service' | 'goalMs' | 'maxDurationMs' | 'actor' | 'reason' | 'deadlineAt' | 'phase' | 'target' | 'targetVersion'
>;
export type NewDrillEvent = Pick<DrillEventRecord, 'type' | 'actor'> & Partial<Pick<DrillEventRecord, 'reason' | 'data'>>;

async function insertEvents(m: EntityManager, drillId: string, events: readonly NewDrillEvent[]): Promise<void> {
  for (const e of events) {
    await m.query(`INSERT INTO drill_events (drill_id, type, actor, reason, data) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
      drillId,
      e.type,
      e.actor,
      e.reason ?? null,
      e.data == null ? null : JSON.stringify(e.data),
    ]);
  }
}

const IN_FLIGHT_SQL = `(${IN_FLIGHT_DRILL_STATES.map((s) => `'${s}'`).join(',')})`;

export class DrillStore {
  constructor(private readonly db: Db) {}

  get(id: string): Promise<DrillRecord | null> {
    return this.db.read((m) => m.getRepository(DrillEntity).findOneBy({ id }));
  }

  /** Insert a running drill (due at once) with its first event. */
  insert(d: NewDrill, event: NewDrillEvent): Promise<DrillRecord> {
    return this.db.tx(async (m) => {
      const repo = m.getRepository(DrillEntity);
      const saved = await repo.save({ ...d, state: 'running', checkSeq: 1, nextCheckAt: new Date(), startedAt: new Date(), undone: false });
      await insertEvents(m, saved.id, [event]);
      return repo.findOneByOrFail({ id: saved.id });
    });
  }

  /** Apply a patch and append events in one transaction; with `nextCheckAt`, bump check_seq and return it. */
  update(id: string, patch: Partial<DrillRecord>, events: readonly NewDrillEvent[], nextCheckAt: Date | null): Promise<number> {
    return this.db.tx(async (m) => {
      await updateWhere(m, DrillEntity, patch, 'id = $1', [id]);
      await insertEvents(m, id, events);
      const rows: Array<{ check_seq: number }> = await m.query(
        nextCheckAt === null
          ? `WITH u AS (UPDATE drills SET next_check_at = NULL WHERE id = $1 RETURNING check_seq) SELECT check_seq FROM u`
          : `WITH u AS (UPDATE drills SET check_seq = check_seq + 1, next_check_at = $2 WHERE id = $1 RETURNING check_seq) SELECT check_seq FROM u`,
        nextCheckAt === null ? [id] : [id, nextCheckAt],
      );
      return rows[0]!.check_seq;
    });
  }

  list(f: { region?: string | undefined; kind?: DrillKind | undefined; limit: number }): Promise<DrillRecord[]> {
    return this.db.read((m) => {
      const qb = m.getRepository(DrillEntity).createQueryBuilder('d');
      if (f.region) qb.andWhere('d.region = :region', { region: f.region });
      if (f.kind) qb.andWhere('d.kind = :kind', { kind: f.kind });
      return qb.orderBy('d.requested_at', 'DESC').addOrderBy('d.id', 'DESC').limit(f.limit).getMany();
    });
  }

  events(drillId: string): Promise<DrillEventRecord[]> {
    return this.db.read((m) => m.getRepository(DrillEventEntity).find({ where: { drillId }, order: { id: 'ASC' } }));
  }

  inFlight(region: string): Promise<DrillRecord | null> {
    return this.db.read((m) =>
      m.getRepository(DrillEntity).createQueryBuilder('d').where(`d.region = :region AND d.state IN ${IN_FLIGHT_SQL}`, { region }).getOne(),
    );
  }

  /**
   * The drill in flight in each of `regions` that has one (one prepared statement for all of
   * them, on the engine's hot path: only what the pre-flight check uses).
   */
  async inFlightIn(regions: readonly string[]): Promise<Map<string, { id: string; kind: string; region: string }>> {
    if (regions.length === 0) return new Map();
    const rows = await this.db.plain.query<{ id: string; kind: string; region: string }>(
      `SELECT id, kind, region FROM drills WHERE region = ANY($1::text[]) AND state IN ${IN_FLIGHT_SQL}`,
      [[...new Set(regions)]],
      { prepare: true },
    );
    const byRegion = new Map<string, { id: string; kind: string; region: string }>();
    for (const d of rows) if (!byRegion.has(d.region)) byRegion.set(d.region, d);
    return byRegion;
  }

  due(dueBefore: Date, limit = 200): Promise<DrillRecord[]> {
    return this.db.read((m) =>
      m
        .getRepository(DrillEntity)
        .createQueryBuilder('d')
        .where('d.next_check_at IS NOT NULL AND d.next_check_at <= :due', { due: dueBefore })
        .orderBy('d.next_check_at', 'ASC')
        .limit(limit)
        .getMany(),
    );
  }

  /** Active releases (of the service, or of any service) whose plan names the region. */
  async activeReleasesIn(region: string, service: string | null): Promise<Array<{ id: string; service: string; state: string }>> {
    return this.db.read((m) =>
      m.query(
        `SELECT r.id, r.service, r.state FROM releases r
          WHERE r.state IN ('running','paused','awaiting_approval','rolling_back')
            AND ($2::text IS NULL OR r.service = $2)
            AND ($2::text IS NOT NULL OR EXISTS (SELECT 1 FROM region_targets t WHERE t.release_id = r.id AND t.region = $1))
          ORDER BY r.created_at`,
        [region, service],
      ),
    );
  }

  /** What the service's newest release that changed the region found there before it (to roll back to), with its version. */
  async lastChange(
    service: string,
    region: string,
  ): Promise<{ releaseId: string; version: string; image: string; previous: DrillRecord['recorded'] } | null> {
    const rows: Array<{ id: string; version: string; image: string; previous: DrillRecord['recorded'] }> = await this.db.read((m) =>
      m.query(
        `SELECT r.id, r.version, r.image, t.previous FROM releases r JOIN region_targets t ON t.release_id = r.id
          WHERE r.service = $1 AND t.region = $2 AND r.state = 'succeeded' AND t.state = 'verified' AND t.previous IS NOT NULL
          ORDER BY r.ended_at DESC NULLS LAST LIMIT 1`,
        [service, region],
      ),
    );
    const row = rows[0];
    return row ? { releaseId: row.id, version: row.version, image: row.image, previous: row.previous } : null;
  }
}
