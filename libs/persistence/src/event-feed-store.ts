/**
 * Reads release_events in commit order for the live stream: a cursor (tx_id, id) below the
 * oldest running transaction (as the notification dispatcher does), so an event committed late
 * by a long transaction is never skipped. Each event comes with its release and changed target.
 */
import { Db } from './db.js';
import { EventEntity, ReleaseEntity, TargetEntity, type EventRecord, type ReleaseRecord, type TargetRecord } from './entities.js';

/** A position in commit order: events at or before it have been read. */
export interface FeedCursor {
  tx: string;
  id: string;
}

export interface FeedItem {
  cursor: FeedCursor;
  event: EventRecord;
  release: ReleaseRecord;
  /** the region's target row as it is now (null for release-wide events) */
  target: TargetRecord | null;
}

export const compareCursor = (a: FeedCursor, b: FeedCursor): number =>
  BigInt(a.tx) === BigInt(b.tx)
    ? BigInt(a.id) < BigInt(b.id)
      ? -1
      : BigInt(a.id) > BigInt(b.id)
        ? 1
        : 0
    : BigInt(a.tx) < BigInt(b.tx)
      ? -1
      : 1;

export class EventFeedStore {
  constructor(private readonly db: Db) {}

  /** The position of "now": every event committed from here on comes after it. */
  async head(): Promise<FeedCursor> {
    const rows: Array<{ tx: string }> = await this.db.read((m) =>
      m.query(`SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1)::text AS tx`),
    );
    return { tx: rows[0]!.tx, id: '9223372036854775807' };
  }

  /**
   * Events after `from` (up to `to` when given) written by transactions no longer running,
   * oldest first, with their release and target; optionally of one release only.
   */
  async after(from: FeedCursor, limit: number, opts: { to?: FeedCursor; releaseId?: string } = {}): Promise<FeedItem[]> {
    return this.db.read(async (m) => {
      const params: unknown[] = [from.tx, from.id, limit];
      let extra = '';
      if (opts.to) {
        params.push(opts.to.tx, opts.to.id);
        extra += ` AND (e.tx_id, e.id) <= ($4::text::xid8, $5::bigint)`;
      }
      if (opts.releaseId) {
        params.push(opts.releaseId);
        extra += ` AND e.release_id = $${params.length}`;
      }
      const rows: Array<{ id: string; tx: string }> = await m.query(
        `SELECT e.id::text AS id, e.tx_id::text AS tx FROM release_events e
         WHERE e.tx_id IS NOT NULL AND (e.tx_id, e.id) > ($1::text::xid8, $2::bigint)
           AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())${extra}
         ORDER BY e.tx_id, e.id LIMIT $3`,
        params,
      );
      if (rows.length === 0) return [];
      const events = await m
        .getRepository(EventEntity)
        .createQueryBuilder('e')
        .where('e.id IN (:...ids)', { ids: rows.map((r) => r.id) })
        .getMany();
      const byId = new Map(events.map((e) => [String(e.id), e]));
      const releaseIds = [...new Set(events.map((e) => e.releaseId))];
      const releases = new Map(
        (await m.getRepository(ReleaseEntity).createQueryBuilder('r').where('r.id IN (:...ids)', { ids: releaseIds }).getMany()).map(
          (r) => [r.id, r],
        ),
      );
      const regional = events.filter((e) => e.region !== null);
      const targets = new Map<string, TargetRecord>();
      if (regional.length > 0) {
        const found = await m
          .getRepository(TargetEntity)
          .createQueryBuilder('t')
          .where('t.release_id IN (:...ids) AND t.region IN (:...regions)', {
            ids: [...new Set(regional.map((e) => e.releaseId))],
            regions: [...new Set(regional.map((e) => e.region!))],
          })
          .getMany();
        for (const t of found) targets.set(`${t.releaseId}/${t.region}`, t);
      }
      return rows.flatMap((r) => {
        const event = byId.get(r.id);
        const release = event && releases.get(event.releaseId);
        if (!event || !release) return [];
        return [
          {
            cursor: { tx: r.tx, id: r.id },
            event,
            release,
            target: event.region ? (targets.get(`${event.releaseId}/${event.region}`) ?? null) : null,
          },
        ];
      });
    });
  }
}
