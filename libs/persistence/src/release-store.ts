/** Releases, their region targets and their events: every read and write the use cases need. */
import type { EntityManager } from 'typeorm';
import { type ReleaseState } from '#domain';
import { Db } from './db.js';
import { CommitListeners, type CommitListener } from './commit-listeners.js';
import { EventEntity, ReleaseEntity, type EventRecord, type ReleaseRecord, type TargetRecord } from './entities.js';
import { ACTIVE_SQL, promoteNext } from './release-queue.js';
import { nextTick, supersede } from './release-rows.js';
import { isDuplicateRelease, type FieldDifference } from './release-admission.js';
import { stepStatement, stepWritten, type StepWrite } from './step-sql.js';
import { admitCreate, insertCreated, probeCreate, type CreateProbe } from './release-create.js';
import { createInOneStatement, type CreateRequest, type Probed } from './release-create-fast.js';
import { GroupCommit } from './group-commit.js';
import { RELEASE_COLUMNS, readRelease, readReleaseWithTargets, readSummaries, readTargets, type ReleaseSummary } from './release-reads.js';

export type NewRelease = Pick<
  ReleaseRecord,
  'service' | 'version' | 'image' | 'releaseNumber' | 'gitSha' | 'requestedBy' | 'idempotencyKey' | 'plan'
>;

export interface CreateOptions {
  /** releases of the service still waiting in the queue end `superseded` */
  supersede?: boolean;
  /** a deliberate roll back to a number lower than a release that went or will go live */
  allowOlder?: boolean;
}

export type CreateOutcome =
  | { kind: 'created'; release: ReleaseRecord; /** as inserted, in the order the API shows them */ targets: TargetRecord[] }
  | { kind: 'existing'; release: ReleaseRecord }
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
  /**
   * Creates go in one statement each call (release-create-fast.ts), and creates arriving while
   * others are being written go together in the next call (issue 13). Two calls in flight: with
   * eight, calls at saturation carried ~2 creates instead of ~6 and Postgres spent 1.2–1.45 ms
   * per create instead of 0.82 (bench/results/api-latency-2026-12-03-3.md); the POST p99 tail
   * at 200 req/s came and went with either.
   */
  private readonly creates = new GroupCommit<CreateRequest, CreateOutcome | Probed>({
    slots: 2,
    maxBatch: 32,
    keys: ({ input }) => [`service:${input.service}`, ...(input.idempotencyKey === null ? [] : [`key:${input.idempotencyKey}`])],
    many: (requests) => this.createMany(requests),
    one: (request) => this.createAlone(request),
  });

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
  async create(input: NewRelease, actor: string, opts: CreateOptions = {}): Promise<CreateOutcome> {
    const request = { input, actor, opts };
    // A create that supersedes row-locks and ends the service's queued releases: it takes the full path.
    if (opts.supersede) return this.createAlone(request);
    const written = await this.creates.submit(request);
    return written.kind === 'probed' ? this.settleProbed(request, written) : written;
  }

  /** The full path: one transaction under the service's lock (probe, insert, supersede). */
  private async createAlone({ input, actor, opts }: CreateRequest): Promise<CreateOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        // The queue's order is the order creates took the service's lock (not when their transactions began).
        const outcome = await this.db.txLocked(`service:${input.service}`, (m) => this.createIn(m, input, actor, opts));
        if (outcome.kind === 'created') this.committed.emit(outcome.release.id);
        return outcome;
      } catch (err) {
        if (attempt < 3 && isDuplicateRelease(err)) continue; // a racing create committed first: look again
        throw err;
      }
    }
  }

  /** Creates of distinct services (and idempotency keys) in one statement: see release-create-fast.ts. */
  private async createMany(requests: readonly CreateRequest[]): Promise<Array<CreateOutcome | Probed>> {
    const written = await createInOneStatement(this.db, requests);
    for (const w of written) if (w.kind === 'created') this.committed.emit(w.release.id);
    return written;
  }

  /**
   * A create the one-statement path did not insert: a repeat (returned, or refused when its payload
   * differs) or an older number (refused) — nothing to write, and what the probe named is committed
   * and stays; a deliberate roll back behind a newer release (or a release gone since) takes the full path.
   */
  private async settleProbed(request: CreateRequest, p: Probed): Promise<CreateOutcome> {
    const load = async (id: string | null) => (id === null ? null : ((await this.get(id)) ?? undefined));
    const probe = { at: p.at, active: p.active, byKey: await load(p.byKey), byNumber: await load(p.byNumber), newer: await load(p.newer) };
    if (probe.byKey === undefined || probe.byNumber === undefined || probe.newer === undefined) return this.createAlone(request);
    const admitted = admitCreate(probe as CreateProbe, request.input, request.actor, request.opts.allowOlder === true);
    return admitted.kind === 'insert' ? this.createAlone(request) : admitted;
  }

  private async createIn(m: EntityManager, input: NewRelease, actor: string, opts: CreateOptions): Promise<CreateOutcome> {
    const admitted = admitCreate(await probeCreate(m, input), input, actor, opts.allowOlder === true);
    if (admitted.kind !== 'insert') return admitted;
    // Row-locked now; they end `superseded` once this release has an id to name.
    const superseded: ReleaseRecord[] = opts.supersede
      ? await m.query(
          `SELECT ${RELEASE_COLUMNS} FROM releases WHERE service = $1 AND state = 'queued' ORDER BY created_at, id FOR UPDATE`,
          [input.service],
        )
      : [];
    // the release, its pending targets and its events: one statement
    const { release, targets } = await insertCreated(m, admitted.row, admitted.events);
    for (const old of superseded) {
      await supersede(m, old, `superseded by release number ${input.releaseNumber} (${input.version})`, {
        type: 'release.superseded',
        actor,
        reason: `superseded by release ${release.id}`,
        data: { by: release.id },
      });
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

  /** A release and its targets in one round trip (null when there is no such release). */
  getWithTargets(id: string): Promise<{ release: ReleaseRecord; targets: TargetRecord[] } | null> {
    return readReleaseWithTargets(this.db.plain, id);
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
   * Apply one step of a release in one statement (so one commit): the release's columns
   * (guarded by its row version), target columns, the events that explain them and the gate
   * evaluations behind them; with `tickAt`, the next step is asked for in the same commit
   * (returns its tick sequence). Throws ConcurrentModificationError, having written nothing,
   * when the release changed since `release` was read.
   */
  async applyStep(release: ReleaseRecord, change: StepWrite): Promise<number | null> {
    const { sql, params } = stepStatement(this.db.dataSource, release, change);
    const written = stepWritten(await this.db.statement<{ n: number; tick_seq: number | null }>(sql, params), change);
    if (!written) throw new ConcurrentModificationError(release.id);
    this.committed.emit(release.id);
    return written.tickSeq;
  }

  /** Ask for the next step at `at`; returns the tick sequence number the job must carry. */
  scheduleTick(releaseId: string, at: Date): Promise<number> {
    return this.db.autocommit((m) => nextTick(m, releaseId, at));
  }

  /** Nothing to do until something outside the engine (an operator) changes the release. */
  async clearNextTick(releaseId: string): Promise<void> {
    await this.db.autocommit((m) => m.query(`UPDATE releases SET next_tick_at = NULL WHERE id = $1`, [releaseId]));
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
