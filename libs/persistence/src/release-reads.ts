/**
 * The hot read paths of releases as plain SQL naming the columns they use (no entity hydration):
 * one release, its targets, a page of release summaries. Rows come back as the same records
 * TypeORM builds (Date for timestamptz, parsed jsonb), on node-postgres and PGlite alike.
 */
import type { ReleaseState } from '#domain';
import type { ReleaseRecord, TargetRecord } from './entities.js';
import type { ReleaseFilter } from './release-store.js';
import { targetsAgg, targetsOfJson } from './planned-targets.js';

/** Anything that runs SQL and hands back rows: a transaction's EntityManager, or Db.plain. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Db.plain: may keep a statement prepared on each pooled connection (parsed and planned once per connection). */
interface PreparingQueryable extends Queryable {
  query(sql: string, params?: unknown[], opts?: { prepare?: boolean }): Promise<unknown>;
}

/** A release as a list shows it: no plan, only the names of its current and approved stages. */
export interface ReleaseSummary {
  id: string;
  service: string;
  version: string;
  image: string;
  releaseNumber: number;
  gitSha: string | null;
  requestedBy: string | null;
  state: ReleaseState;
  stateReason: string | null;
  pausedAt: Date | null;
  /** `plan.stages[stageIndex].name`, null past the last stage */
  currentStage: string | null;
  /** `plan.stages[approvedStageIndex].name`, null when none was approved */
  approvedStage: string | null;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  updatedAt: Date;
}

export const RELEASE_COLUMNS = `id, service, version, image, release_number AS "releaseNumber", git_sha AS "gitSha",
  requested_by AS "requestedBy", idempotency_key AS "idempotencyKey", state, state_reason AS "stateReason", plan,
  stage_index AS "stageIndex", tick_seq AS "tickSeq", next_tick_at AS "nextTickAt", row_version AS "rowVersion",
  created_at AS "createdAt", updated_at AS "updatedAt", started_at AS "startedAt", ended_at AS "endedAt",
  paused_at AS "pausedAt", approved_stage_index AS "approvedStageIndex"`;

export { TARGET_COLUMNS } from './planned-targets.js';

/** jsonb `->` counts a negative index from the end; JavaScript's `stages[-1]` is undefined: no stage. */
const stageName = (column: string) => `CASE WHEN ${column} >= 0 THEN plan->'stages'->${column}->>'name' END`;

const SUMMARY_COLUMNS = `id, service, version, image, release_number AS "releaseNumber", git_sha AS "gitSha", requested_by AS "requestedBy",
  state, state_reason AS "stateReason", paused_at AS "pausedAt", ${stageName('stage_index')} AS "currentStage",
  ${stageName('approved_stage_index')} AS "approvedStage", created_at AS "createdAt", started_at AS "startedAt",
  ended_at AS "endedAt", updated_at AS "updatedAt", total`;

export async function readRelease(m: PreparingQueryable, id: string): Promise<ReleaseRecord | null> {
  const rows = (await m.query(`SELECT ${RELEASE_COLUMNS} FROM releases WHERE id = $1`, [id], { prepare: true })) as ReleaseRecord[];
  return rows[0] ?? null;
}

const TARGET_DATES = [
  'deployStartedAt',
  'patchedAt',
  'rolloutCompletedAt',
  'bakeEndsAt',
  'verifiedAt',
  'failedAt',
  'rollbackStartedAt',
  'rollbackPatchedAt',
  'rolledBackAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof TargetRecord>;

/** A JSON array of the TARGET_COLUMNS rows named `rows`, in the order the API lists them — by stage, then region in the database's collation (targetsFromJson reads it back). */
export const targetsJson = (rows: string) => `coalesce(${targetsAgg(rows)}, '[]'::json)`;

/** One round trip: the release and its targets (as JSON, in the API's order: its rows, or its plan's while it has not started), or null. */
const RELEASE_WITH_TARGETS = `SELECT ${RELEASE_COLUMNS}, ${targetsOfJson('releases')} AS targets FROM releases WHERE id = $1`;

/**
 * A release and its targets in one statement (what GET /v1/releases/:id shows): the same records
 * readRelease and readTargets give — target timestamps come back as JSON text and are made Dates
 * here (millisecond precision, truncated as the driver truncates).
 */
export async function readReleaseWithTargets(
  m: PreparingQueryable,
  id: string,
): Promise<{ release: ReleaseRecord; targets: TargetRecord[] } | null> {
  const rows = (await m.query(RELEASE_WITH_TARGETS, [id], { prepare: true })) as Array<
    ReleaseRecord & { targets: string | Array<Record<string, unknown>> }
  >;
  const row = rows[0];
  if (!row) return null;
  const { targets, ...release } = row;
  return { release, targets: targetsFromJson(targets) };
}

/** Target records from a `json_agg` of TARGET_COLUMNS rows: their timestamps made Dates again. */
export function targetsFromJson(raw: string | Array<Record<string, unknown>> | null): TargetRecord[] {
  // node-postgres parses json; PGlite through TypeORM may hand it back as text
  const list = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? [])) as Array<Record<string, unknown>>;
  for (const t of list) for (const k of TARGET_DATES) if (typeof t[k] === 'string') t[k] = new Date(t[k] as string);
  return list as unknown as TargetRecord[];
}

/** The release's targets in the API's order: its rows, or its plan's while it has not started (none when there is no such release). */
export async function readTargets(m: PreparingQueryable, releaseId: string): Promise<TargetRecord[]> {
  const rows = (await m.query(`SELECT ${targetsOfJson('releases')} AS targets FROM releases WHERE id = $1`, [releaseId], {
    prepare: true,
  })) as Array<{ targets: string | Array<Record<string, unknown>> }>;
  return rows[0] ? targetsFromJson(rows[0].targets) : [];
}

/** Newest first; `total` counts every release the filter matches. */
export async function readSummaries(m: PreparingQueryable, filter: ReleaseFilter): Promise<{ items: ReleaseSummary[]; total: number }> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (filter.service) where.push(`service = $${params.push(filter.service)}`);
  if (filter.state) where.push(`state = $${params.push(filter.state)}`);
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  // The page first (from ix_releases_created when unfiltered) with the count of every match (one
  // InitPlan), then its 16 fields from only its rows' plans.
  const rows = (await m.query(
    `SELECT ${SUMMARY_COLUMNS} FROM (
       SELECT id, service, version, image, release_number, git_sha, requested_by, state, state_reason, paused_at, plan, stage_index,
         approved_stage_index, created_at, started_at, ended_at, updated_at,
         (SELECT count(*)::int FROM releases ${clause}) AS total
       FROM releases ${clause} ORDER BY created_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}
     ) page ORDER BY created_at DESC, id DESC`,
    [...params, filter.limit, filter.offset],
    { prepare: true }, // one of four texts (with or without service and state)
  )) as Array<ReleaseSummary & { total: number }>;
  if (rows.length === 0) {
    // past the last page (or nothing matches): no row to read the count from
    const counted = (await m.query(`SELECT count(*)::int AS n FROM releases ${clause}`, params)) as Array<{ n: number }>;
    return { items: [], total: counted[0]!.n };
  }
  const total = rows[0]!.total;
  return { items: rows.map(({ total: _total, ...summary }) => summary), total };
}
