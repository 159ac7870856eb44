/** Row writes shared by the release store's transactions (each takes the caller's EntityManager). */
import type { EntityManager } from 'typeorm';
import { moveRelease, moveTarget, type MoveEvent } from '#domain';
import { ReleaseEntity, type ReleaseRecord } from './entities.js';
import type { EventInput } from './release-store.js';
import { updateWhere } from './sql.js';
import { eventInsert, Params } from './sql-params.js';

/** Append events to a release's audit log (append-only: the table refuses UPDATE and DELETE). */
export async function appendEvents(m: EntityManager, releaseId: string, events: EventInput[]): Promise<void> {
  if (events.length === 0) return;
  const p = new Params();
  await m.query(eventInsert(p, events, p.add(releaseId, 'uuid')), p.list);
}

/** Bump the release's tick sequence and set when its next step is due; returns the sequence. */
export async function nextTick(m: EntityManager, releaseId: string, at: Date): Promise<number> {
  const rows: Array<{ tick_seq: number }> = await m.query(
    `WITH u AS (UPDATE releases SET tick_seq = tick_seq + 1, next_tick_at = $2 WHERE id = $1 RETURNING tick_seq) SELECT tick_seq FROM u`,
    [releaseId, at],
  );
  return rows[0]!.tick_seq;
}

/** The pending regions of a release that ended without reaching them end `skipped` (no event). */
export async function skipPendingTargets(m: EntityManager, releaseId: string): Promise<void> {
  const pending = { state: 'pending' } as const;
  const { patch } = moveTarget(pending, 'skipped', null);
  await m.query(`UPDATE region_targets SET state = $2, updated_at = now() WHERE release_id = $1 AND state = $3`, [
    releaseId,
    patch.state,
    pending.state,
  ]);
}

/**
 * A queued release ends `superseded` (guarded by its row version): its state and reason, the
 * event that says by what, and its pending regions skipped.
 */
export async function supersede(
  m: EntityManager,
  release: ReleaseRecord,
  stateReason: string,
  event: MoveEvent<'release.superseded'>,
): Promise<void> {
  const move = moveRelease(release, 'superseded', event);
  await updateWhere(
    m,
    ReleaseEntity,
    { ...move.patch, stateReason, endedAt: new Date(), rowVersion: release.rowVersion + 1 },
    'id = $1 AND row_version = $2',
    [release.id, release.rowVersion],
  );
  await appendEvents(m, release.id, [move.event]);
  await skipPendingTargets(m, release.id);
}
