/**
 * A release's targets are rows from the moment it starts (issue 13). A release created behind
 * an active one (queued) has none: its targets are what its plan says — every region pending,
 * or skipped once the release ended without starting — and readers derive them from the plan
 * it keeps. Its rows are written in the commit that starts it (`insertPlannedTargets`), with
 * the same ids the readers showed (`targetIdSql`: derived from the release and the region), so
 * a queued release costs a create one row instead of twenty-one, and one that is superseded or
 * cancelled in the queue never costs more.
 */
/** A target's columns as TargetRecord names them (what readers select, from a row or from the plan). */
export const TARGET_COLUMNS = `id, release_id AS "releaseId", stage_index AS "stageIndex", region, state, reason, workloads, previous,
  deploy_started_at AS "deployStartedAt", patched_at AS "patchedAt", rollout_completed_at AS "rolloutCompletedAt",
  bake_ends_at AS "bakeEndsAt", verified_at AS "verifiedAt", failed_at AS "failedAt", rollback_started_at AS "rollbackStartedAt",
  rollback_patched_at AS "rollbackPatchedAt", rolled_back_at AS "rolledBackAt", gate_status AS "gateStatus",
  blocked_reason AS "blockedReason", drain, updated_at AS "updatedAt"`;

/** A target's id: md5 of `release id/region`, as a uuid (the same for the planned target and its row). */
export const targetIdSql = (releaseId: string, region: string) => `md5(${releaseId}::text || '/' || ${region})::uuid`;

/** The plan's regions of release row `r`, one row per region: `s` (its stage) and `g` (the region) as jsonb. */
export const planRegionsOf = (r: string) => `jsonb_array_elements(${r}.plan->'stages') AS s, jsonb_array_elements(s.value->'regions') AS g`;

/** What a planned target's columns are (every other column of TARGET_COLUMNS is null). */
const PLANNED: Record<string, (r: string) => string> = {
  id: (r) => targetIdSql(`${r}.id`, `(g.value->>'region')`),
  releaseId: (r) => `${r}.id`,
  stageIndex: () => `(s.value->>'index')::int`,
  region: () => `g.value->>'region'`,
  state: (r) => `CASE WHEN ${r}.ended_at IS NULL THEN 'pending' ELSE 'skipped' END`,
  workloads: () => `g.value->'workloads'`,
  updatedAt: (r) => `${r}.updated_at`,
};

/** The names TARGET_COLUMNS gives its columns, in its order (`x AS "name"`, or the column itself). */
export function targetColumnNames(columns = TARGET_COLUMNS): string[] {
  return columns.split(',').map((c) => {
    const m = /\bAS\s+"([^"]+)"\s*$/.exec(c.trim());
    return m ? m[1]! : c.trim();
  });
}

{
  const unknown = Object.keys(PLANNED).filter((k) => !targetColumnNames().includes(k));
  if (unknown.length > 0) throw new Error(`planned-targets: TARGET_COLUMNS has no ${unknown.join(', ')}`);
}

/** TARGET_COLUMNS of release row `r`'s planned targets (FROM `planRegionsOf(r)`). */
export const plannedTargetColumns = (r: string) =>
  targetColumnNames()
    .map((name) => `${PLANNED[name]?.(r) ?? 'NULL'} AS "${name}"`)
    .join(', ');

/** A JSON array of release row `r`'s targets in the order the API lists them: its rows, else (not started) its planned targets. */
export const targetsOfJson = (r: string) => `coalesce(
    (SELECT json_agg(t ORDER BY t."stageIndex", t.region) FROM (SELECT ${TARGET_COLUMNS} FROM region_targets WHERE release_id = ${r}.id) t),
    (SELECT json_agg(t ORDER BY t."stageIndex", t.region) FROM (SELECT ${plannedTargetColumns(r)} FROM ${planRegionsOf(r)}
      WHERE ${r}.started_at IS NULL) t),
    '[]'::json)`;

/** Write the target rows of the release with id `$1` from its plan, all pending (none twice: a release queued before this design has them). */
export const INSERT_PLANNED_TARGETS = `INSERT INTO region_targets (id, release_id, stage_index, region, state, workloads)
  SELECT ${targetIdSql('r.id', `(g.value->>'region')`)}, r.id, (s.value->>'index')::int, g.value->>'region', 'pending', g.value->'workloads'
  FROM releases r, ${planRegionsOf('r')} WHERE r.id = $1
  ON CONFLICT (release_id, region) DO NOTHING`;
