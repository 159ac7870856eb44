/**
 * A release's targets are rows from the moment it starts (issue 13). A release created behind
 * an active one (queued) has none: its targets are what its plan says — every region pending,
 * or skipped once the release ended without starting — and readers derive them from the plan
 * it keeps. Its rows are written in the commit that starts it (`INSERT_PLANNED_TARGETS`), with
 * the same ids the readers showed (derived from the release and the region), so
 * a queued release costs a create one row instead of twenty-one, and one that is superseded or
 * cancelled in the queue never costs more.
 */
/** A target's columns as TargetRecord names them (what readers select, from a row or from the plan). */
export const TARGET_COLUMNS = `id, release_id AS "releaseId", stage_index AS "stageIndex", region, state, reason, workloads, previous,
  deploy_started_at AS "deployStartedAt", patched_at AS "patchedAt", rollout_completed_at AS "rolloutCompletedAt",
  bake_ends_at AS "bakeEndsAt", verified_at AS "verifiedAt", failed_at AS "failedAt", rollback_started_at AS "rollbackStartedAt",
  rollback_patched_at AS "rollbackPatchedAt", rolled_back_at AS "rolledBackAt", gate_status AS "gateStatus",
  blocked_reason AS "blockedReason", drain, updated_at AS "updatedAt"`;

/** Where a release's columns are read: a `releases` row, or a row of RELEASE_COLUMNS (a create's `RETURNING`). */
export interface ReleaseColumns {
  id: string;
  plan: string;
  endedAt: string;
  updatedAt: string;
}

/** The columns of `releases` row `r`. */
export const releaseRow = (r: string): ReleaseColumns => ({
  id: `${r}.id`,
  plan: `${r}.plan`,
  endedAt: `${r}.ended_at`,
  updatedAt: `${r}.updated_at`,
});

/** The columns of row `r` of RELEASE_COLUMNS. */
export const releaseRecord = (r: string): ReleaseColumns => ({
  id: `${r}.id`,
  plan: `${r}.plan`,
  endedAt: `${r}."endedAt"`,
  updatedAt: `${r}."updatedAt"`,
});

/** A target's id: md5 of `release id/region`, as a uuid (the same for the planned target and its row). */
const targetIdSql = (releaseId: string, region: string) => `md5(${releaseId}::text || '/' || ${region})::uuid`;

/** The plan's regions of release `r`, one row per region: `s` (its stage) and `g` (the region) as jsonb. */
const planRegionsOf = (r: ReleaseColumns) =>
  `jsonb_array_elements(${r.plan}->'stages') AS s, jsonb_array_elements(s.value->'regions') AS g`;

/** What a planned target's columns are (every other column of TARGET_COLUMNS is null). */
const PLANNED: Record<string, (r: ReleaseColumns) => string> = {
  id: (r) => targetIdSql(r.id, `(g.value->>'region')`),
  releaseId: (r) => r.id,
  stageIndex: () => `(s.value->>'index')::int`,
  region: () => `g.value->>'region'`,
  state: (r) => `CASE WHEN ${r.endedAt} IS NULL THEN 'pending' ELSE 'skipped' END`,
  workloads: () => `g.value->'workloads'`,
  updatedAt: (r) => r.updatedAt,
};

/** The names TARGET_COLUMNS gives its columns, in its order (`x AS "name"`, or the column itself). */
const TARGET_COLUMN_NAMES = TARGET_COLUMNS.split(',').map((c) => /\bAS\s+"([^"]+)"\s*$/.exec(c.trim())?.[1] ?? c.trim());
{
  const unknown = Object.keys(PLANNED).filter((k) => !TARGET_COLUMN_NAMES.includes(k));
  if (unknown.length > 0) throw new Error(`planned-targets: TARGET_COLUMNS has no ${unknown.join(', ')}`);
}

/** TARGET_COLUMNS rows named `t` as a JSON array in the order the API lists them (null when there are none). */
export const targetsAgg = (t: string) => `json_agg(${t} ORDER BY ${t}."stageIndex", ${t}.region)`;

/** A JSON array (null when none) of release `r`'s planned targets. */
export const plannedTargetsJson = (r: ReleaseColumns) =>
  `(SELECT ${targetsAgg('t')} FROM (SELECT ${TARGET_COLUMN_NAMES.map((name) => `${PLANNED[name]?.(r) ?? 'NULL'} AS "${name}"`).join(', ')}
    FROM ${planRegionsOf(r)}) t)`;

/** A JSON array of `releases` row `r`'s targets in the order the API lists them: its rows, else (not started) its planned targets. */
export const targetsOfJson = (r: string) => `coalesce(
    (SELECT ${targetsAgg('t')} FROM (SELECT ${TARGET_COLUMNS} FROM region_targets WHERE release_id = ${r}.id) t),
    CASE WHEN ${r}.started_at IS NULL THEN ${plannedTargetsJson(releaseRow(r))} END,
    '[]'::json)`;

/**
 * INSERT of release `r`'s target rows from its plan, all pending (`from` names where `r` is read;
 * none twice: a release queued before this design has them).
 */
export const insertPlannedTargets = (
  r: ReleaseColumns,
  from: string,
) => `INSERT INTO region_targets (id, release_id, stage_index, region, state, workloads)
  SELECT ${PLANNED['id']!(r)}, ${r.id}, ${PLANNED['stageIndex']!(r)}, ${PLANNED['region']!(r)}, 'pending', ${PLANNED['workloads']!(r)}
  FROM ${from}, ${planRegionsOf(r)}
  ON CONFLICT (release_id, region) DO NOTHING`;

/** Write the target rows of the release with id `$1` as it starts. */
export const INSERT_PLANNED_TARGETS = insertPlannedTargets(releaseRow('r'), '(SELECT * FROM releases WHERE id = $1) r');
