/**
 * The statements of a release create as plain SQL (inside the service's transaction, after its
 * lock): one look at what the create depends on, the release's row and its targets' rows, each
 * handing back the records it wrote (RETURNING) so nothing is read again.
 */
import type { EntityManager } from 'typeorm';
import { ACTIVE_RELEASE_STATES, type PlanSnapshot } from '#domain';
import type { ReleaseRecord, TargetRecord } from './entities.js';
import { LIVE_OR_COMING_STATES } from './release-admission.js';
import { readRelease, RELEASE_COLUMNS, TARGET_COLUMNS } from './release-reads.js';

const list = (states: readonly string[]) => `(${states.map((s) => `'${s}'`).join(',')})`;

/** What a create of (service, releaseNumber, idempotencyKey) depends on, read in one statement. */
export interface CreateProbe {
  /** clock_timestamp() once the service's lock is held: the release's place in the queue */
  at: Date;
  /** the service has an active release (the new one is queued behind it) */
  active: boolean;
  byKey: ReleaseRecord | null;
  byNumber: ReleaseRecord | null;
  /** the newest release of the service with a higher number that went, or will go, live */
  newer: ReleaseRecord | null;
}

export async function probeCreate(
  m: EntityManager,
  input: { service: string; releaseNumber: number; idempotencyKey: string | null },
): Promise<CreateProbe> {
  const [row] = (await m.query(
    `SELECT clock_timestamp() AS at,
       EXISTS (SELECT 1 FROM releases WHERE service = $1 AND state IN ${list(ACTIVE_RELEASE_STATES)}) AS active,
       (SELECT id FROM releases WHERE idempotency_key = $3) AS "byKey",
       (SELECT id FROM releases WHERE service = $1 AND release_number = $2) AS "byNumber",
       (SELECT id FROM releases WHERE service = $1 AND release_number > $2 AND state IN ${list(LIVE_OR_COMING_STATES)}
        ORDER BY release_number DESC LIMIT 1) AS newer`,
    [input.service, input.releaseNumber, input.idempotencyKey],
  )) as [{ at: Date; active: boolean; byKey: string | null; byNumber: string | null; newer: string | null }];
  // The rare paths (a repeat, an older number) read the whole release they name.
  const load = (id: string | null) => (id === null ? null : readRelease(m, id));
  return { at: row.at, active: row.active, byKey: await load(row.byKey), byNumber: await load(row.byNumber), newer: await load(row.newer) };
}

export type NewReleaseRow = Pick<
  ReleaseRecord,
  | 'service'
  | 'version'
  | 'image'
  | 'releaseNumber'
  | 'gitSha'
  | 'requestedBy'
  | 'idempotencyKey'
  | 'plan'
  | 'createdAt'
  | 'state'
  | 'stateReason'
  | 'stageIndex'
  | 'tickSeq'
  | 'nextTickAt'
  | 'rowVersion'
  | 'startedAt'
  | 'endedAt'
>;

/** INSERT the release (id, updated_at and the rest from their defaults); returns it as stored. */
export async function insertRelease(m: EntityManager, r: NewReleaseRow): Promise<ReleaseRecord> {
  const rows: ReleaseRecord[] = await m.query(
    `INSERT INTO releases (service, version, image, release_number, git_sha, requested_by, idempotency_key, plan, created_at,
       state, state_reason, stage_index, tick_seq, next_tick_at, row_version, started_at, ended_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING ${RELEASE_COLUMNS}`,
    [
      r.service,
      r.version,
      r.image,
      r.releaseNumber,
      r.gitSha,
      r.requestedBy,
      r.idempotencyKey,
      JSON.stringify(r.plan),
      r.createdAt,
      r.state,
      r.stateReason,
      r.stageIndex,
      r.tickSeq,
      r.nextTickAt,
      r.rowVersion,
      r.startedAt,
      r.endedAt,
    ],
  );
  return rows[0]!;
}

/** INSERT a pending target per region of the plan; returns them as stored, in the order the API shows them. */
export function insertPendingTargets(m: EntityManager, releaseId: string, plan: PlanSnapshot): Promise<TargetRecord[]> {
  const params: unknown[] = [releaseId];
  if (plan.stages.every((s) => s.regions.length === 0)) return Promise.resolve([]);
  const values = plan.stages.flatMap((stage) =>
    stage.regions.map((r) => {
      params.push(stage.index, r.region, JSON.stringify(r.workloads));
      const n = params.length;
      return `($1, $${n - 2}, $${n - 1}, 'pending', $${n}::jsonb)`;
    }),
  );
  return m.query(
    `WITH t AS (INSERT INTO region_targets (release_id, stage_index, region, state, workloads) VALUES ${values.join(', ')}
       RETURNING ${TARGET_COLUMNS})
     SELECT * FROM t ORDER BY "stageIndex" ASC, region ASC`,
    params,
  );
}
