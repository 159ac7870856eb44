/** Releases, their region targets and their events: every read and write the use cases need. */
import type { EntityManager } from 'typeorm';
import { ENGINE_ACTOR, type ReleaseEvent, type ReleaseState } from '#domain';
import { Db } from './db.js';
import { CommitListeners, type CommitListener } from './commit-listeners.js';
import { EventEntity, ReleaseEntity, TargetEntity, type EventRecord, type ReleaseRecord, type TargetRecord } from './entities.js';
import type { GateEvaluationInput } from './gate-entities.js';
import { insertEvaluations } from './gate-store.js';
import { ACTIVE_SQL, promoteNext } from './release-queue.js';
import { appendEvents, nextTick, supersede } from './release-rows.js';
import { isDuplicateRelease, newerRelease, payloadDifferences, type FieldDifference } from './release-admission.js';
import { updateWhere } from './sql.js';

export type NewRelease = Pick<
  ReleaseRecord,
  'service' | 'version' | 'image' | 'releaseNumber' | 'gitSha' | 'requestedBy' | 'idempotencyKey' | 'plan'
>;

export type CreateOutcome =
  | { kind: 'created' | 'existing'; release: ReleaseRecord }
  /** the key or (service, releaseNumber) names `release`, whose payload differs */
  | { kind: 'changed'; release: ReleaseRecord; by: 'idempotencyKey' | 'releaseNumber'; differences: FieldDifference[] }
  /** a release of the service with a higher number went, or will go, live */
  | { kind: 'older'; newer: ReleaseRecord };

/**
 * An event row as stored. What the code writes is typed by the catalogue in libs/domain
 * (ReleaseEvent, whose state changes come from moveRelease/moveTarget); every ReleaseEvent is an EventInput.
 */
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

export class ReleaseStore {
  private readonly committed = new CommitListeners<string>();

  constructor(private readonly db: Db) {}

  /**
   * Hear of every committed release change (a step, a create, a start from the queue) by the
   * release's id, after its commit, never inside it; `onError` hears a listener's failure.
   */
  onCommitted(listener: CommitListener<string>, onError: (err: unknown) => void): () => void {
    return this.committed.add(listener, onError);
  }

  /**
   * Insert a release (running, or queued behind the service's active one) with its pending
   * targets, in one transaction under the service's lock. One that exists for the idempotency
   * key or (service, releaseNumber) is returned when the payload is the same, refused
   * (`changed`) when not; a number lower than a release of the service that went or will go live
   * is refused (`older`) unless `allowOlder`. With `supersede`, releases of the service still
   * waiting in the queue end `superseded`.
   */
  async create(input: NewRelease, actor: string, opts: { supersede?: boolean; allowOlder?: boolean } = {}): Promise<CreateOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.db.tx((m) => this.createIn(m, input, actor, opts));
        if (outcome.kind === 'created') this.committed.emit(outcome.release.id);
        return outcome;
      } catch (err) {
        if (attempt < 3 && isDuplicateRelease(err)) continue; // a racing create committed first: look again
        throw err;
      }
    }
  }

  private async createIn(
    m: EntityManager,
    input: NewRelease,
    actor: string,
    opts: { supersede?: boolean; allowOlder?: boolean },
  ): Promise<CreateOutcome> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`service:${input.service}`]);
    // The queue's order is the order creates took the service's lock (not when their transactions began).
    const [{ at: createdAt }] = (await m.query('SELECT clock_timestamp() AS at')) as [{ at: Date }];
    const existing = await this.findExisting(m, input);
    if (existing) {
      const differences = payloadDifferences(existing.release, input);
      return differences.length > 0
        ? { kind: 'changed', release: existing.release, by: existing.by, differences }
        : { kind: 'existing', release: existing.release };
    }
    const newer = await newerRelease(m, input.service, input.releaseNumber);
    if (newer && !opts.allowOlder) return { kind: 'older', newer };
    const active = await m.query(`SELECT 1 FROM releases WHERE service = $1 AND state IN ${ACTIVE_SQL} LIMIT 1`, [input.service]);
    const state: ReleaseState = active.length > 0 ? 'queued' : 'running';
    const now = new Date();
    // Row-locked now; they end `superseded` once this release has an id to name.
    const superseded: ReleaseRecord[] = opts.supersede
      ? await m
          .getRepository(ReleaseEntity)
          .find({ where: { service: input.service, state: 'queued' }, lock: { mode: 'pessimistic_write' } })
      : [];
    const release = await m.getRepository(ReleaseEntity).save({
      ...input,
      createdAt,
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
    const older = newer
      ? { allowOlder: true as const, newerRelease: { id: newer.id, releaseNumber: newer.releaseNumber, state: newer.state } }
      : {};
    const events: ReleaseEvent[] = [
      {
        type: 'release.created',
        actor,
        toState: state,
        reason: newer ? `deliberately older than release #${newer.releaseNumber} (${newer.id}, ${newer.state}): allowOlder` : null,
        data: { version: input.version, image: input.image, releaseNumber: input.releaseNumber, ...older },
      },
      ...(state === 'running'
        ? [{ type: 'stage.started' as const, actor: ENGINE_ACTOR, data: { stage: input.plan.stages[0]!.name } }]
        : []),
    ];
    await appendEvents(m, release.id, events);
    for (const old of superseded) {
      await supersede(m, old, `superseded by release number ${input.releaseNumber} (${input.version})`, {
        type: 'release.superseded',
        actor,
        reason: `superseded by release ${release.id}`,
        data: { by: release.id },
      });
    }
    return { kind: 'created', release: await m.getRepository(ReleaseEntity).findOneByOrFail({ id: release.id }) };
  }

  private async findExisting(
    m: EntityManager,
    input: NewRelease,
  ): Promise<{ release: ReleaseRecord; by: 'idempotencyKey' | 'releaseNumber' } | null> {
    const repo = m.getRepository(ReleaseEntity);
    if (input.idempotencyKey) {
      const byKey = await repo.findOneBy({ idempotencyKey: input.idempotencyKey });
      if (byKey) return { release: byKey, by: 'idempotencyKey' };
    }
    const byNumber = await repo.findOneBy({ service: input.service, releaseNumber: input.releaseNumber });
    return byNumber ? { release: byNumber, by: 'releaseNumber' } : null;
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
   * row version), target columns, the events that explain them and the gate evaluations behind
   * them; with `tickAt`, the next step is asked for in the same commit (returns its tick sequence).
   */
  async applyStep(
    release: ReleaseRecord,
    change: {
      release?: Partial<ReleaseRecord>;
      targets?: Array<{ id: string; patch: Partial<TargetRecord> }>;
      events?: EventInput[];
      evaluations?: GateEvaluationInput[];
      tickAt?: Date;
    },
  ): Promise<number | null> {
    const seq = await this.db.tx(async (m) => {
      const n = await updateWhere(
        m,
        ReleaseEntity,
        { ...change.release, rowVersion: release.rowVersion + 1 },
        'id = $1 AND row_version = $2',
        [release.id, release.rowVersion],
      );
      if (n !== 1) throw new ConcurrentModificationError(release.id);
      for (const t of change.targets ?? []) {
        await updateWhere(m, TargetEntity, t.patch, 'id = $1 AND release_id = $2', [t.id, release.id]);
      }
      if (change.events?.length) await appendEvents(m, release.id, change.events);
      if (change.evaluations?.length) await insertEvaluations(m, release.id, change.evaluations);
      return change.tickAt ? nextTick(m, release.id, change.tickAt) : null;
    });
    this.committed.emit(release.id);
    return seq;
  }

  /** Ask for the next step at `at`; returns the tick sequence number the job must carry. */
  scheduleTick(releaseId: string, at: Date): Promise<number> {
    return this.db.tx((m) => nextTick(m, releaseId, at));
  }

  /** Nothing to do until something outside the engine (an operator) changes the release. */
  async clearNextTick(releaseId: string): Promise<void> {
    await this.db.tx((m) => m.query(`UPDATE releases SET next_tick_at = NULL WHERE id = $1`, [releaseId]));
  }

  /**
   * If the service has no active release, start its oldest queued one. A queued release whose
   * number is lower than a release of the service that already succeeded ends `superseded`
   * instead (unless it was created as a deliberate roll back), and the next one is considered.
   */
  async promoteNextQueued(service: string): Promise<ReleaseRecord | null> {
    const started = await this.db.tx((m) => promoteNext(m, service));
    if (started) this.committed.emit(started.id);
    return started;
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
}
