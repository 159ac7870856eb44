/**
 * Notification deliveries in Postgres: the dispatcher's cursor over release_events, one row
 * per (event, destination), the claim/lease protocol senders use, and the Slack threads.
 * No method holds a connection while anything outside the database is called.
 */
import type { EntityManager } from 'typeorm';
import type { Severity } from '#domain';
import { Db } from './db.js';
import { EventEntity, type EventRecord } from './entities.js';
import { DeliveryEntity, ThreadEntity, type DeliveryRecord, type DeliveryStatus, type ThreadRecord } from './notification-entities.js';
import { updateWhere } from './sql.js';

/** An event the dispatcher reads, with its release's service (for routing). */
export interface DispatchEvent {
  id: string;
  releaseId: string;
  type: string;
  service: string;
  /** how long ago the event was written (database clock) */
  ageMs: number;
}

export interface NewDelivery {
  eventId: string;
  releaseId: string;
  destination: string;
  eventType: string;
  severity: Severity;
}

export type ClaimResult =
  { kind: 'claimed'; delivery: DeliveryRecord } | { kind: 'done' } | { kind: 'blocked' } | { kind: 'later'; at: Date };

export interface DeliveryFilter {
  releaseId?: string;
  destination?: string;
  status?: DeliveryStatus;
  limit: number;
  offset: number;
}

const CURSOR = 'dispatch';
/** A delivery is "open" until sent or dead; a later one in the same thread waits for it. */
const EARLIER_OPEN = `EXISTS (SELECT 1 FROM notification_deliveries p WHERE p.release_id = d.release_id AND p.destination = d.destination
  AND p.event_id < d.event_id AND p.status IN ('pending','sending'))`;

export class NotificationStore {
  constructor(private readonly db: Db) {}

  /**
   * One dispatcher step, in one transaction: read up to `limit` events after the cursor that
   * were written by transactions no longer running (so none can still appear behind the
   * cursor), let `plan` choose the deliveries, insert them (an existing (event, destination)
   * is left alone) and move the cursor. `busy` when another dispatcher holds the cursor.
   */
  dispatch(
    limit: number,
    plan: (events: DispatchEvent[]) => NewDelivery[],
  ): Promise<{ busy: boolean; events: number; created: DeliveryRecord[] }> {
    return this.db.tx(async (m) => {
      await m.query(
        `INSERT INTO notification_cursors (name, last_tx_id, last_event_id)
         SELECT $1, pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1, 9223372036854775807 ON CONFLICT (name) DO NOTHING`,
        [CURSOR],
      );
      const cursor: Array<{ tx: string; id: string }> = await m.query(
        `SELECT last_tx_id::text AS tx, last_event_id::text AS id FROM notification_cursors WHERE name = $1 FOR UPDATE SKIP LOCKED`,
        [CURSOR],
      );
      if (cursor.length === 0) return { busy: true, events: 0, created: [] };
      const rows: Array<{ id: string; release_id: string; type: string; service: string; tx: string; age_ms: number }> = await m.query(
        `SELECT e.id::text AS id, e.release_id, e.type, r.service, e.tx_id::text AS tx,
           (extract(epoch FROM now() - e.created_at) * 1000)::float8 AS age_ms
         FROM release_events e JOIN releases r ON r.id = e.release_id
         WHERE e.tx_id IS NOT NULL AND (e.tx_id, e.id) > ($1::text::xid8, $2::bigint)
           AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY e.tx_id, e.id LIMIT $3`,
        [cursor[0]!.tx, cursor[0]!.id, limit],
      );
      if (rows.length === 0) return { busy: false, events: 0, created: [] };
      const wanted = plan(
        rows.map((r) => ({ id: r.id, releaseId: r.release_id, type: r.type, service: r.service, ageMs: Number(r.age_ms) })),
      );
      const created = wanted.length > 0 ? await this.insertDeliveries(m, wanted) : [];
      const last = rows[rows.length - 1]!;
      await m.query(
        `UPDATE notification_cursors SET last_tx_id = $2::bigint, last_event_id = $3::bigint, updated_at = now() WHERE name = $1`,
        [CURSOR, last.tx, last.id],
      );
      return { busy: false, events: rows.length, created };
    });
  }

  private async insertDeliveries(m: EntityManager, deliveries: NewDelivery[]): Promise<DeliveryRecord[]> {
    const params: unknown[] = [];
    const values = deliveries.map((d) => {
      const row = [d.eventId, d.releaseId, d.destination, d.eventType, d.severity];
      const placeholders = row.map((_, i) => `$${params.length + i + 1}`);
      params.push(...row);
      return `(${placeholders[0]}::bigint, ${placeholders.slice(1).join(', ')}, 'pending', now())`;
    });
    const inserted: Array<{ id: string }> = await m.query(
      `WITH i AS (INSERT INTO notification_deliveries (event_id, release_id, destination, event_type, severity, status, next_attempt_at)
       VALUES ${values.join(', ')} ON CONFLICT (event_id, destination) DO NOTHING RETURNING id) SELECT id FROM i`,
      params,
    );
    if (inserted.length === 0) return [];
    return m
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .where('d.id IN (:...ids)', { ids: inserted.map((r) => r.id) })
      .orderBy('d.event_id', 'ASC')
      .getMany();
  }

  /**
   * Take a delivery for one send attempt: it must be open, due, not leased by a live sender,
   * and the first open one of its (release, destination). Counts the attempt and leases it.
   */
  async claim(id: string, leaseMs: number): Promise<ClaimResult> {
    const claimed = await this.db.tx(async (m) => {
      const n = await m.query(
        `WITH u AS (UPDATE notification_deliveries d SET status = 'sending', attempts = attempts + 1,
           lease_until = now() + $2::int * interval '1 millisecond', updated_at = now()
         WHERE d.id = $1 AND d.next_attempt_at <= now()
           AND (d.status = 'pending' OR (d.status = 'sending' AND d.lease_until < now()))
           AND NOT ${EARLIER_OPEN} RETURNING 1) SELECT count(*)::int AS n FROM u`,
        [id, Math.round(leaseMs)],
      );
      return Number((n[0] as { n: number }).n) === 1 ? m.getRepository(DeliveryEntity).findOneByOrFail({ id }) : null;
    });
    if (claimed) return { kind: 'claimed', delivery: claimed };
    const rows: Array<{ status: DeliveryStatus; next_attempt_at: Date; lease_until: Date | null; blocked: boolean }> = await this.db.read(
      (m) =>
        m.query(
          `SELECT d.status, d.next_attempt_at, d.lease_until, ${EARLIER_OPEN} AS blocked FROM notification_deliveries d WHERE d.id = $1`,
          [id],
        ),
    );
    const row = rows[0];
    if (!row || row.status === 'sent' || row.status === 'dead') return { kind: 'done' };
    if (row.blocked) return { kind: 'blocked' };
    const at = row.status === 'sending' && row.lease_until ? row.lease_until : row.next_attempt_at;
    return { kind: 'later', at: new Date(Math.max(new Date(at).getTime(), Date.now()) + 50) };
  }

  get(id: string): Promise<DeliveryRecord | null> {
    return this.db.read((m) => m.getRepository(DeliveryEntity).findOneBy({ id }));
  }

  event(id: string): Promise<EventRecord | null> {
    return this.db.read((m) => m.getRepository(EventEntity).findOneBy({ id }));
  }

  /** The message is out (its Slack ts, when there is one), but the delivery is not finished yet. */
  async markPosted(id: string, externalId: string): Promise<void> {
    await this.db.tx((m) => updateWhere(m, DeliveryEntity, { externalId }, `id = $1 AND status = 'sending'`, [id]));
  }

  async markSent(id: string, externalId: string | null): Promise<void> {
    await this.db.tx((m) =>
      updateWhere(
        m,
        DeliveryEntity,
        { status: 'sent', externalId: externalId ?? undefined, sentAt: new Date(), leaseUntil: null },
        `id = $1 AND status = 'sending'`,
        [id],
      ),
    );
  }

  /** Back to pending, due in `delayMs`; `failed` counts the attempt towards dead-lettering. */
  async markRetry(id: string, error: string, delayMs: number, failed: boolean): Promise<void> {
    await this.db.tx((m) =>
      m.query(
        `UPDATE notification_deliveries SET status = 'pending', failures = failures + $3::int, last_error = $2, lease_until = NULL,
           next_attempt_at = now() + $4::int * interval '1 millisecond', updated_at = now() WHERE id = $1 AND status = 'sending'`,
        [id, error, failed ? 1 : 0, Math.round(delayMs)],
      ),
    );
  }

  async markDead(id: string, error: string): Promise<void> {
    await this.db.tx((m) =>
      m.query(
        `UPDATE notification_deliveries SET status = 'dead', failures = failures + 1, last_error = $2, lease_until = NULL, updated_at = now()
         WHERE id = $1 AND status = 'sending'`,
        [id, error],
      ),
    );
  }

  /** The next open delivery of the same (release, destination), to send once this one is done. */
  async nextInThread(d: Pick<DeliveryRecord, 'releaseId' | 'destination' | 'eventId'>): Promise<DeliveryRecord | null> {
    return this.db.read((m) =>
      m
        .getRepository(DeliveryEntity)
        .createQueryBuilder('d')
        .where(`d.release_id = :r AND d.destination = :dest AND d.event_id > :e AND d.status IN ('pending','sending')`, {
          r: d.releaseId,
          dest: d.destination,
          e: d.eventId,
        })
        .orderBy('d.event_id', 'ASC')
        .limit(1)
        .getOne(),
    );
  }

  /** Open deliveries that could be sent now (first of their thread, due, not leased): lost jobs are found here. */
  async due(limit = 200): Promise<DeliveryRecord[]> {
    return this.db.read((m) =>
      m
        .getRepository(DeliveryEntity)
        .createQueryBuilder('d')
        .where(
          `d.status IN ('pending','sending') AND d.next_attempt_at <= now() AND (d.status = 'pending' OR d.lease_until < now()) AND NOT ${EARLIER_OPEN}`,
        )
        .orderBy('d.next_attempt_at', 'ASC')
        .limit(limit)
        .getMany(),
    );
  }

  list(filter: DeliveryFilter): Promise<{ items: DeliveryRecord[]; total: number }> {
    return this.db.read(async (m) => {
      const where: Partial<Pick<DeliveryRecord, 'releaseId' | 'destination' | 'status'>> = {};
      if (filter.releaseId) where.releaseId = filter.releaseId;
      if (filter.destination) where.destination = filter.destination;
      if (filter.status) where.status = filter.status;
      const [items, total] = await m
        .getRepository(DeliveryEntity)
        .findAndCount({ where, order: { eventId: 'DESC', destination: 'ASC' }, take: filter.limit, skip: filter.offset });
      return { items, total };
    });
  }

  thread(releaseId: string, destination: string): Promise<ThreadRecord | null> {
    return this.db.read((m) => m.getRepository(ThreadEntity).findOneBy({ releaseId, destination }));
  }

  /** Record that the parent message is about to be posted (before posting it). */
  async openThread(releaseId: string, destination: string, channel: string): Promise<void> {
    await this.db.tx((m) =>
      m.query(
        `INSERT INTO notification_threads (release_id, destination, channel) VALUES ($1, $2, $3) ON CONFLICT (release_id, destination) DO NOTHING`,
        [releaseId, destination, channel],
      ),
    );
  }

  /** The parent is posted: its ts, and the channel's id as Slack answered it. */
  async setParent(releaseId: string, destination: string, parentTs: string, channel: string): Promise<void> {
    await this.db.tx((m) =>
      updateWhere(m, ThreadEntity, { parentTs, channel }, 'release_id = $1 AND destination = $2', [releaseId, destination]),
    );
  }
}
