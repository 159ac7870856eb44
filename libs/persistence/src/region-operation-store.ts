/** Reads and writes of region operations; every write of one region runs under its lock (see the use cases). */
import type { EntityManager } from 'typeorm';
import type { Db } from './db.js';
import {
  IN_FLIGHT_OPERATION_STATES,
  RegionOperationEntity,
  type RegionOperationKind,
  type RegionOperationRecord,
} from './region-operation-entities.js';
import { updateWhere } from './sql.js';

export interface NewRegionOperation {
  region: string;
  kind: RegionOperationKind;
  actor: string;
  reason: string | null;
  targetWeight: number;
  previousWeight: number | null;
  preDrainRate: number | null;
}

const IN_FLIGHT_SQL = `(${IN_FLIGHT_OPERATION_STATES.map((s) => `'${s}'`).join(',')})`;

export class RegionOperationStore {
  constructor(private readonly db: Db) {}

  get(id: string): Promise<RegionOperationRecord | null> {
    return this.db.read((m) => m.getRepository(RegionOperationEntity).findOneBy({ id }));
  }

  /** The newest operation of each region (by request time). */
  async latestByRegion(): Promise<Map<string, RegionOperationRecord>> {
    const rows = await this.db.read((m) =>
      m
        .getRepository(RegionOperationEntity)
        .createQueryBuilder('o')
        .distinctOn(['o.region'])
        .orderBy('o.region')
        .addOrderBy('o.requested_at', 'DESC')
        .addOrderBy('o.id', 'DESC')
        .getMany(),
    );
    return new Map(rows.map((r) => [r.region, r]));
  }

  /** The newest operation of a region of the given kind. */
  latest(region: string, kind?: RegionOperationKind): Promise<RegionOperationRecord | null> {
    return this.db.read((m) =>
      m
        .getRepository(RegionOperationEntity)
        .findOne({ where: { region, ...(kind ? { kind } : {}) }, order: { requestedAt: 'DESC', id: 'DESC' } }),
    );
  }

  /**
   * Insert an operation, due at once (check_seq 1). With `supersede`, the operation it replaces
   * ends with the given patch in the same transaction (a restore never cancels a drain alone).
   */
  async insert(op: NewRegionOperation, supersede?: { id: string; patch: Partial<RegionOperationRecord> }): Promise<RegionOperationRecord> {
    const now = new Date();
    return this.db.tx(async (m) => {
      if (supersede) await finish(m, supersede.id, supersede.patch);
      const repo = m.getRepository(RegionOperationEntity);
      const saved = await repo.save({
        ...op,
        state: 'pending',
        checkSeq: 1,
        nextCheckAt: now,
        startedAt: null,
        completedAt: null,
        lastRate: null,
        verifyMs: null,
        drain99Ms: null,
        note: null,
      });
      return repo.findOneByOrFail({ id: saved.id });
    });
  }

  /** Apply a patch; with `nextCheckInMs`, bump check_seq and return the sequence number the next job must carry. */
  async update(id: string, patch: Partial<RegionOperationRecord>, nextCheckAt: Date | null): Promise<number> {
    return this.db.tx(async (m) => {
      await updateWhere(m, RegionOperationEntity, patch, 'id = $1', [id]);
      const rows: Array<{ check_seq: number }> = await m.query(
        nextCheckAt === null
          ? `WITH u AS (UPDATE region_operations SET next_check_at = NULL WHERE id = $1 RETURNING check_seq) SELECT check_seq FROM u`
          : `WITH u AS (UPDATE region_operations SET check_seq = check_seq + 1, next_check_at = $2 WHERE id = $1 RETURNING check_seq) SELECT check_seq FROM u`,
        nextCheckAt === null ? [id] : [id, nextCheckAt],
      );
      return rows[0]!.check_seq;
    });
  }

  /** Operations whose next look is overdue (their job was lost). */
  due(dueBefore: Date, limit = 200): Promise<RegionOperationRecord[]> {
    return this.db.read((m) =>
      m
        .getRepository(RegionOperationEntity)
        .createQueryBuilder('o')
        .where('o.next_check_at IS NOT NULL AND o.next_check_at <= :due', { due: dueBefore })
        .orderBy('o.next_check_at', 'ASC')
        .limit(limit)
        .getMany(),
    );
  }

  /** The region's operation still in flight, if any. */
  inFlight(region: string): Promise<RegionOperationRecord | null> {
    return this.db.read((m) =>
      m
        .getRepository(RegionOperationEntity)
        .createQueryBuilder('o')
        .where(`o.region = :region AND o.state IN ${IN_FLIGHT_SQL}`, { region })
        .getOne(),
    );
  }
}

/** Apply a patch to an operation and stop looking at it (no next check). */
async function finish(m: EntityManager, id: string, patch: Partial<RegionOperationRecord>): Promise<void> {
  await updateWhere(m, RegionOperationEntity, { ...patch, nextCheckAt: null }, 'id = $1', [id]);
}
