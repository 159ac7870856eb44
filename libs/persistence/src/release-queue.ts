/** The service's queue, run inside the store's transactions: which queued release starts next, and which ends superseded. */
import type { EntityManager } from 'typeorm';
import { ACTIVE_RELEASE_STATES, ENGINE_ACTOR, moveRelease } from '#domain';
import { ReleaseEntity, type ReleaseRecord } from './entities.js';
import { createdAsOlder, newerRelease } from './release-admission.js';
import { INSERT_PLANNED_TARGETS } from './planned-targets.js';
import { appendEvents, supersede } from './release-rows.js';
import { updateWhere } from './sql.js';

/** The states in which a release owns its service, as an SQL list. */
export const ACTIVE_SQL = `(${ACTIVE_RELEASE_STATES.map((s) => `'${s}'`).join(',')})`;

/**
 * If the service has no active release, start its oldest queued one. A queued release whose
 * number is lower than a release of the service that already succeeded ends `superseded`
 * instead (unless it was created as a deliberate roll back), and the next one is considered.
 */
export async function promoteNext(m: EntityManager, service: string): Promise<ReleaseRecord | null> {
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
      await supersedeStale(m, next, newer);
      continue;
    }
    const now = new Date();
    const move = moveRelease(next, 'running', {
      type: 'release.started',
      actor: ENGINE_ACTOR,
      reason: 'the previous release of this service ended',
    });
    const n = await updateWhere(
      m,
      ReleaseEntity,
      { ...move.patch, stateReason: null, startedAt: now, nextTickAt: now, rowVersion: next.rowVersion + 1 },
      'id = $1 AND state = $2 AND row_version = $3',
      [next.id, next.state, next.rowVersion],
    );
    if (n !== 1) return null; // cancelled meanwhile; the sweeper starts the next one
    await m.query(INSERT_PLANNED_TARGETS, [next.id]); // its targets become rows as it starts (planned-targets.ts)
    await appendEvents(m, next.id, [
      move.event,
      { type: 'stage.started', actor: ENGINE_ACTOR, data: { stage: next.plan.stages[0]!.name } },
    ]);
    return m.getRepository(ReleaseEntity).findOneByOrFail({ id: next.id });
  }
}

/** A queued release that would replace a newer one that already succeeded never deploys. */
async function supersedeStale(m: EntityManager, stale: ReleaseRecord, newer: ReleaseRecord): Promise<void> {
  const reason = `release #${newer.releaseNumber} (${newer.id}) is newer and already ${newer.state}: an older release must not replace it (post it with allowOlder to roll back deliberately)`;
  await supersede(m, stale, reason, {
    type: 'release.superseded',
    actor: ENGINE_ACTOR,
    reason,
    data: { by: newer.id, newerReleaseNumber: newer.releaseNumber },
  });
}
