/** Releases, their region targets and their events: every read and write the use cases need. */
import type { EntityManager } from 'typeorm';
import { ACTIVE_RELEASE_STATES, type ReleaseState } from '#domain';
import { Db } from './db.js';
import { EventEntity, ReleaseEntity, TargetEntity, type EventRecord, type ReleaseRecord, type TargetRecord } from './entities.js';
import type { GateEvaluationInput } from './gate-entities.js';
import { insertEvaluations } from './gate-store.js';
import { appendEvents, nextTick, skipPendingTargets } from './release-rows.js';
import { createdAsOlder, isDuplicateRelease, newerRelease, payloadDifferences, type FieldDifference } from './release-admission.js';
import { insertPendingTargets, insertRelease, probeCreate } from './release-create.js';
import { readRelease, readSummaries, readTargets, type ReleaseSummary } from './release-reads.js';
import { updateWhere } from './sql.js';

export type NewRelease = Pick<
  ReleaseRecord,
  'service' | 'version' | 'image' | 'releaseNumber' | 'gitSha' | 'requestedBy' | 'idempotencyKey' | 'plan'
>;

export type CreateOutcome =
  | { kind: 'created'; release: ReleaseRecord; /** as inserted, in the order the API shows them */ targets: TargetRecord[] }
  | { kind: 'existing'; release: ReleaseRecord }
  /** the key or (service, releaseNumber) names `release`, whose payload differs */
  | { kind: 'changed'; release: ReleaseRecord; by: 'idempotencyKey' | 'releaseNumber'; differences: FieldDifference[] }
  /** a release of the service with a higher number went, or will go, live */
  | { kind: 'older'; newer: ReleaseRecord };

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
   * targets, in one transaction under the service's lock. One that exists for the idempotency
   * key or (service, releaseNumber) is returned when the payload is the same, refused
   * (`changed`) when not; a number lower than a release of the service that went or will go live
   * is refused (`older`) unless `allowOlder`. With `supersede`, releases of the service still
   * waiting in the queue end `superseded`.
   */
  async create(input: NewRelease, actor: string, opts: { supersede?: boolean; allowOlder?: boolean } = {}): Promise<CreateOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.tx((m) => this.createIn(m, input, actor, opts));
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
    const probe = await probeCreate(m, input);
    const createdAt = probe.at;
    const existing = probe.byKey
      ? { release: probe.byKey, by: 'idempotencyKey' as const }
      : probe.byNumber
        ? { release: probe.byNumber, by: 'releaseNumber' as const }
        : null;
    if (existing) {
      const differences = payloadDifferences(existing.release, input);
      return differences.length > 0
        ? { kind: 'changed', release: existing.release, by: existing.by, differences }
        : { kind: 'existing', release: existing.release };
    }
    const newer = probe.newer;
    if (newer && !opts.allowOlder) return { kind: 'older', newer };
    const state: ReleaseState = probe.active ? 'queued' : 'running';
    const now = new Date();
    const superseded: Array<{ id: string }> = opts.supersede
      ? await m.query(
          `WITH u AS (UPDATE releases SET state = 'superseded', state_reason = $2, ended_at = now(), updated_at = now(), row_version = row_version + 1
           WHERE service = $1 AND state = 'queued' RETURNING id) SELECT id FROM u`,
          [input.service, `superseded by release number ${input.releaseNumber} (${input.version})`],
        )
      : [];
    const release = await insertRelease(m, {
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
    const targets = await insertPendingTargets(m, release.id, input.plan);
    const older = newer ? { allowOlder: true, newerRelease: { id: newer.id, releaseNumber: newer.releaseNumber, state: newer.state } } : {};
    await appendEvents(m, release.id, [
      {
        type: 'release.created',
        actor,
        toState: state,
        reason: newer ? `deliberately older than release #${newer.releaseNumber} (${newer.id}, ${newer.state}): allowOlder` : null,
        data: { version: input.version, image: input.image, releaseNumber: input.releaseNumber, ...older },
      },
      ...(state === 'running' ? [{ type: 'stage.started', actor: 'tideline', data: { stage: input.plan.stages[0]!.name } }] : []),
    ]);
    for (const old of superseded) {
      await appendEvents(m, old.id, [
        {
          type: 'release.superseded',
          actor,
          fromState: 'queued',
          toState: 'superseded',
          reason: `superseded by release ${release.id}`,
          data: { by: release.id },
        },
      ]);
      await skipPendingTargets(m, old.id);
    }
    return { kind: 'created', release, targets };
  }

  get(id: string): Promise<ReleaseRecord | null> {
    return readRelease(this.db.plain, id);
  }

  /** A page of releases as a list shows them (newest first), and how many match. */
  list(filter: ReleaseFilter): Promise<{ items: ReleaseSummary[]; total: number }> {
    return readSummaries(this.db.plain, filter);
  }

  targets(releaseId: string): Promise<TargetRecord[]> {
    return readTargets(this.db.plain, releaseId);
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
  applyStep(
    release: ReleaseRecord,
    change: {
      release?: Partial<ReleaseRecord>;
      targets?: Array<{ id: string; patch: Partial<TargetRecord> }>;
      events?: EventInput[];
      evaluations?: GateEvaluationInput[];
      tickAt?: Date;
    },
  ): Promise<number | null> {
    return this.db.tx(async (m) => {
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
  promoteNextQueued(service: string): Promise<ReleaseRecord | null> {
    return this.db.tx(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`service:${service}`]);
      const active = await m.query(`SELECT 1 FROM releases WHERE service = $1 AND state IN ${ACTIVE_SQL} LIMIT 1`, [service]);
      if (active.length > 0) return null;
      for (;;) {
        // Row-locked: an operator's cancel of this queued release waits for us (and then sees it running), or wins.
        const next = await m
          .getRepository(ReleaseEntity)
          .findOne({ where: { service, state: 'queued' }, order: { createdAt: 'ASC', id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
        if (!next) return null;
        const newer = await newerRelease(m, service, next.releaseNumber, ['succeeded']);
        if (newer && !(await createdAsOlder(m, next.id))) {
          await this.supersedeStale(m, next, newer);
          continue;
        }
        const now = new Date();
        const n = await updateWhere(
          m,
          ReleaseEntity,
          { state: 'running', stateReason: null, startedAt: now, nextTickAt: now, rowVersion: next.rowVersion + 1 },
          'id = $1 AND state = $2 AND row_version = $3',
          [next.id, 'queued', next.rowVersion],
        );
        if (n !== 1) return null; // cancelled meanwhile; the sweeper starts the next one
        await appendEvents(m, next.id, [
          {
            type: 'release.started',
            actor: 'tideline',
            fromState: 'queued',
            toState: 'running',
            reason: 'the previous release of this service ended',
          },
          { type: 'stage.started', actor: 'tideline', data: { stage: next.plan.stages[0]!.name } },
        ]);
        return m.getRepository(ReleaseEntity).findOneByOrFail({ id: next.id });
      }
    });
  }

  /** A queued release that would replace a newer one that already succeeded never deploys. */
  private async supersedeStale(m: EntityManager, stale: ReleaseRecord, newer: ReleaseRecord): Promise<void> {
    const reason = `release #${newer.releaseNumber} (${newer.id}) is newer and already ${newer.state}: an older release must not replace it (post it with allowOlder to roll back deliberately)`;
    await updateWhere(
      m,
      ReleaseEntity,
      { state: 'superseded', stateReason: reason, endedAt: new Date(), rowVersion: stale.rowVersion + 1 },
      'id = $1 AND row_version = $2',
      [stale.id, stale.rowVersion],
    );
    await appendEvents(m, stale.id, [
      {
        type: 'release.superseded',
        actor: 'tideline',
        fromState: 'queued',
        toState: 'superseded',
        reason,
        data: { by: newer.id, newerReleaseNumber: newer.releaseNumber },
      },
    ]);
    await skipPendingTargets(m, stale.id);
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
