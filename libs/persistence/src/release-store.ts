/** Releases, their region targets and their events: every read and write the use cases need. */
import type { EntityManager } from 'typeorm';
import { ACTIVE_RELEASE_STATES, type ReleaseState } from '../../domain/src/index.js';
import { Db } from './db.js';
import { EventEntity, ReleaseEntity, TargetEntity, type EventRecord, type ReleaseRecord, type TargetRecord } from './entities.js';
import type { GateEvaluationInput } from './gate-entities.js';
import { insertEvaluations } from './gate-store.js';
import { updateWhere } from './sql.js';

export type NewRelease = Pick<
  ReleaseRecord,
  'service' | 'version' | 'image' | 'releaseNumber' | 'gitSha' | 'requestedBy' | 'idempotencyKey' | 'plan'
>;

export interface EventInput {
  type: string;
  actor: string;
  region?: string | null;
  fromState?: string | null;
  toState?: string | null;
  reason?: string | null;
  data?: Record<string, unknown> | null;
}

export interface ReleaseFilter {
  service?: string;
  state?: ReleaseState;
  limit: number;
  offset: number;
}

export class ConcurrentModificationError extends Error {
  constructor(id: string) {
    super(`release ${id} changed while it was being stepped`);
    this.name = 'ConcurrentModificationError';
  }
}

const ACTIVE_SQL = `(${ACTIVE_RELEASE_STATES.map((s) => `'${s}'`).join(',')})`;

export class ReleaseStore {
  constructor(private readonly db: Db) {}

  /**
   * Insert a release (running, or queued behind the service's active one) with its pending
   * targets, unless one already exists for the idempotency key or (service, releaseNumber).
   * With `supersede`, releases of the service still waiting in the queue end `superseded`.
   */
  create(input: NewRelease, actor: string, supersede = false): Promise<{ release: ReleaseRecord; created: boolean }> {
    return this.db.tx(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`service:${input.service}`]);
      const existing = await this.findExisting(m, input);
      if (existing) return { release: existing, created: false };
      const active = await m.query(`SELECT 1 FROM releases WHERE service = $1 AND state IN ${ACTIVE_SQL} LIMIT 1`, [input.service]);
      const state: ReleaseState = active.length > 0 ? 'queued' : 'running';
      const now = new Date();
      const superseded: Array<{ id: string }> = supersede
        ? await m.query(
            `WITH u AS (UPDATE releases SET state = 'superseded', state_reason = $2, ended_at = now(), updated_at = now(), row_version = row_version + 1
             WHERE service = $1 AND state = 'queued' RETURNING id) SELECT id FROM u`,
            [input.service, `superseded by release number ${input.releaseNumber} (${input.version})`],
          )
        : [];
      const release = await m.getRepository(ReleaseEntity).save({
        ...input,
        state,
        stateReason: state === 'queued' ? 'another release of this service is active' : null,
        stageIndex: 0,
        tickSeq: state === 'running' ? 1 : 0,
        nextTickAt: state === 'running' ? now : null,
        rowVersion: 1,
        startedAt: state === 'running' ? now : null,
        endedAt: null,
      });
      await m.getRepository(TargetEntity).insert(
        input.plan.stages.flatMap((stage) =>
          stage.regions.map((r) => ({
            releaseId: release.id,
            stageIndex: stage.index,
            region: r.region,
            state: 'pending' as const,
            workloads: r.workloads,
          })),
        ),
      );
      await this.appendEvents(m, release.id, [
        { type: 'release.created', actor, toState: state, data: { version: input.version, image: input.image, releaseNumber: input.releaseNumber } },
        ...(state === 'running' ? [{ type: 'stage.started', actor: 'tideline', data: { stage: input.plan.stages[0]!.name } }] : []),
      ]);
      for (const old of superseded) {
        await this.appendEvents(m, old.id, [
          { type: 'release.superseded', actor, fromState: 'queued', toState: 'superseded', reason: `superseded by release ${release.id}`, data: { by: release.id } },
        ]);
        await m.query(`UPDATE region_targets SET state = 'skipped', updated_at = now() WHERE release_id = $1 AND state = 'pending'`, [old.id]);
      }
      return { release: (await m.getRepository(ReleaseEntity).findOneByOrFail({ id: release.id })), created: true };
    });
  }

  private async findExisting(m: EntityManager, input: NewRelease): Promise<ReleaseRecord | null> {
    const repo = m.getRepository(ReleaseEntity);
    if (input.idempotencyKey) {
      const byKey = await repo.findOneBy({ idempotencyKey: input.idempotencyKey });
      if (byKey) return byKey;
    }
    return repo.findOneBy({ service: input.service, releaseNumber: input.releaseNumber });
  }

  get(id: string): Promise<ReleaseRecord | null> {
    return this.db.read((m) => m.getRepository(ReleaseEntity).findOneBy({ id }));
  }

  list(filter: ReleaseFilter): Promise<{ items: ReleaseRecord[]; total: number }> {
    return this.db.read(async (m) => {
      const where: Partial<Pick<ReleaseRecord, 'service' | 'state'>> = {};
      if (filter.service) where.service = filter.service;
      if (filter.state) where.state = filter.state;
      const [items, total] = await m
        .getRepository(ReleaseEntity)
        .findAndCount({ where, order: { createdAt: 'DESC', id: 'DESC' }, take: filter.limit, skip: filter.offset });
      return { items, total };
    });
  }

  targets(releaseId: string): Promise<TargetRecord[]> {
    return this.db.read((m) => m.getRepository(TargetEntity).find({ where: { releaseId }, order: { stageIndex: 'ASC', region: 'ASC' } }));
  }

  events(releaseId: string, afterId = '0', limit = 500): Promise<EventRecord[]> {
    return this.db.read((m) =>
      m
        .getRepository(EventEntity)
        .createQueryBuilder('e')
        .where('e.release_id = :releaseId AND e.id > :afterId', { releaseId, afterId })
        .orderBy('e.id', 'ASC')
        .limit(limit)
        .getMany(),
    );
  }

  /**
   * Apply one step of a release in one transaction: the release's columns (guarded by its
   * row version), target columns, the events that explain them and the gate evaluations behind them.
   */
  applyStep(
    release: ReleaseRecord,
    change: {
      release?: Partial<ReleaseRecord>;
      targets?: Array<{ id: string; patch: Partial<TargetRecord> }>;
      events?: EventInput[];
      evaluations?: GateEvaluationInput[];
    },
  ): Promise<void> {
    return this.db.tx(async (m) => {
      const n = await updateWhere(m, ReleaseEntity, { ...change.release, rowVersion: release.rowVersion + 1 }, 'id = $1 AND row_version = $2', [
        release.id,
        release.rowVersion,
      ]);
      if (n !== 1) throw new ConcurrentModificationError(release.id);
      for (const t of change.targets ?? []) {
        await updateWhere(m, TargetEntity, t.patch, 'id = $1 AND release_id = $2', [t.id, release.id]);
      }
      if (change.events?.length) await this.appendEvents(m, release.id, change.events);
      if (change.evaluations?.length) await insertEvaluations(m, release.id, change.evaluations);
    });
  }

  /** Ask for the next step at `at`; returns the tick sequence number the job must carry. */
  scheduleTick(releaseId: string, at: Date): Promise<number> {
    return this.db.tx(async (m) => {
      const rows: Array<{ tick_seq: number }> = await m.query(
        `WITH u AS (UPDATE releases SET tick_seq = tick_seq + 1, next_tick_at = $2 WHERE id = $1 RETURNING tick_seq) SELECT tick_seq FROM u`,
        [releaseId, at],
      );
      return rows[0]!.tick_seq;
    });
  }

  /** Nothing to do until something outside the engine (an operator) changes the release. */
  async clearNextTick(releaseId: string): Promise<void> {
    await this.db.tx((m) => m.query(`UPDATE releases SET next_tick_at = NULL WHERE id = $1`, [releaseId]));
  }

  /** If the service has no active release, start its oldest queued one. */
  promoteNextQueued(service: string): Promise<ReleaseRecord | null> {
    return this.db.tx(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`service:${service}`]);
      const active = await m.query(`SELECT 1 FROM releases WHERE service = $1 AND state IN ${ACTIVE_SQL} LIMIT 1`, [service]);
      if (active.length > 0) return null;
      // Row-locked: an operator's cancel of this queued release waits for us (and then sees it running), or wins.
      const next = await m
        .getRepository(ReleaseEntity)
        .findOne({ where: { service, state: 'queued' }, order: { createdAt: 'ASC', id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
      if (!next) return null;
      const now = new Date();
      const n = await updateWhere(
        m,
        ReleaseEntity,
        { state: 'running', stateReason: null, startedAt: now, nextTickAt: now, rowVersion: next.rowVersion + 1 },
        'id = $1 AND state = $2 AND row_version = $3',
        [next.id, 'queued', next.rowVersion],
      );
      if (n !== 1) return null; // cancelled meanwhile; the sweeper starts the next one
      await this.appendEvents(m, next.id, [
        { type: 'release.started', actor: 'tideline', fromState: 'queued', toState: 'running', reason: 'the previous release of this service ended' },
        { type: 'stage.started', actor: 'tideline', data: { stage: next.plan.stages[0]!.name } },
      ]);
      return m.getRepository(ReleaseEntity).findOneByOrFail({ id: next.id });
    });
  }

  /** Releases that should be moving: stepping states whose next step is due before `dueBefore`, and held ones whose watched gates are due. */
  dueReleases(dueBefore: Date, limit = 500): Promise<ReleaseRecord[]> {
    return this.db.read((m) =>
      m
        .getRepository(ReleaseEntity)
        .createQueryBuilder('r')
        .where(
          `(r.state IN ('running','rolling_back') AND (r.next_tick_at IS NULL OR r.next_tick_at <= :due))
           OR (r.state IN ('paused','awaiting_approval') AND r.next_tick_at <= :due)`,
          { due: dueBefore },
        )
        .orderBy('r.next_tick_at', 'ASC')
        .limit(limit)
        .getMany(),
    );
  }

  /** Services with a queued release and no active one (their promotion was lost). */
  async servicesWaitingForPromotion(): Promise<string[]> {
    const rows: Array<{ service: string }> = await this.db.read((m) =>
      m.query(
        `SELECT DISTINCT q.service FROM releases q WHERE q.state = 'queued'
         AND NOT EXISTS (SELECT 1 FROM releases a WHERE a.service = q.service AND a.state IN ${ACTIVE_SQL})`,
      ),
    );
    return rows.map((r) => r.service);
  }

  private async appendEvents(m: EntityManager, releaseId: string, events: EventInput[]): Promise<void> {
    if (events.length === 0) return;
    const params: unknown[] = [];
    const values = events.map((e) => {
      const row = [releaseId, e.type, e.actor, e.region ?? null, e.fromState ?? null, e.toState ?? null, e.reason ?? null, e.data ? JSON.stringify(e.data) : null];
      const placeholders = row.map((_, i) => `$${params.length + i + 1}`);
      params.push(...row);
      return `(${placeholders.join(', ')}::jsonb)`;
    });
    await m.query(
      `INSERT INTO release_events (release_id, type, actor, region, from_state, to_state, reason, data) VALUES ${values.join(', ')}`,
      params,
    );
  }
}
