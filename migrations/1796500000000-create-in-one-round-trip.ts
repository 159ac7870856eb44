import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A release create in one round trip (issue 13): `tideline_create_releases` takes the services'
 * locks, then — in a statement of its own, so it sees everything committed before the locks were
 * granted (a volatile function's statements each take a fresh snapshot under READ COMMITTED) —
 * probes each create and inserts those that repeat nothing and are older than nothing: the
 * release, a pending target per region of its plan (as the plan's stages list them) and its
 * events. The release comes back without its plan (the caller sent it). What each row and event holds is decided by the
 * caller (libs/persistence/src/release-create.ts, admitCreate) for both cases — the service is
 * idle (the release starts running) or busy (it waits in the queue) — and the function picks by
 * what the probe found. Called outside an explicit transaction, the call is its own transaction:
 * the locks are held until it commits.
 *
 * The state lists are those of libs/domain (ACTIVE_RELEASE_STATES) and release-admission.ts
 * (LIVE_OR_COMING_STATES) as literals, so the probe uses the partial index of active releases;
 * test/integration/create-round-trip.test.ts checks they still agree.
 */
export class CreateInOneRoundTrip1796500000000 implements MigrationInterface {
  name = 'CreateInOneRoundTrip1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION tideline_create_releases(
        locks text[],
        r_service text[], r_version text[], r_image text[], r_number int[], r_git_sha text[], r_requested_by text[],
        r_key text[], r_plan jsonb[], r_idle jsonb[], r_busy jsonb[],
        e_service text[], e_when text[], e_type text[], e_actor text[], e_region text[], e_from text[], e_to text[],
        e_reason text[], e_data jsonb[])
      RETURNS TABLE (ord bigint, at timestamptz, active boolean, by_key uuid, by_number uuid, newer uuid, release jsonb, targets json)
      LANGUAGE plpgsql VOLATILE AS $fn$
      #variable_conflict use_column
      DECLARE k text;
      BEGIN
        FOREACH k IN ARRAY locks LOOP
          PERFORM pg_advisory_xact_lock(hashtext(k));
        END LOOP;
        RETURN QUERY
        WITH p AS (
          SELECT v.*, clock_timestamp() AS at,
            EXISTS (SELECT 1 FROM releases x WHERE x.service = v.service
              AND x.state IN ('running','paused','awaiting_approval','rolling_back')) AS active,
            (SELECT x.id FROM releases x WHERE x.idempotency_key = v.key) AS by_key,
            (SELECT x.id FROM releases x WHERE x.service = v.service AND x.release_number = v.number) AS by_number,
            (SELECT x.id FROM releases x WHERE x.service = v.service AND x.release_number > v.number
              AND x.state IN ('queued','running','paused','awaiting_approval','succeeded')
              ORDER BY x.release_number DESC LIMIT 1) AS newer
          FROM unnest(r_service, r_version, r_image, r_number, r_git_sha, r_requested_by, r_key, r_plan, r_idle, r_busy)
            WITH ORDINALITY AS v(service, version, image, number, git_sha, requested_by, key, plan, idle, busy, ord)),
        w AS (SELECT p.*, CASE WHEN p.active THEN p.busy ELSE p.idle END AS variant FROM p
          WHERE p.by_key IS NULL AND p.by_number IS NULL AND p.newer IS NULL),
        r AS (INSERT INTO releases (service, version, image, release_number, git_sha, requested_by, idempotency_key, plan,
            created_at, state, state_reason, stage_index, tick_seq, next_tick_at, row_version, started_at, ended_at)
          SELECT w.service, w.version, w.image, w.number, w.git_sha, w.requested_by, w.key, w.plan, w.at,
            w.variant->>'state', w.variant->>'stateReason', (w.variant->>'stageIndex')::int, (w.variant->>'tickSeq')::int,
            (w.variant->>'nextTickAt')::timestamptz, (w.variant->>'rowVersion')::int, (w.variant->>'startedAt')::timestamptz,
            (w.variant->>'endedAt')::timestamptz
          FROM w ORDER BY w.ord
          RETURNING id, service, version, image, release_number AS "releaseNumber", git_sha AS "gitSha",
            requested_by AS "requestedBy", idempotency_key AS "idempotencyKey", state, state_reason AS "stateReason", plan,
            stage_index AS "stageIndex", tick_seq AS "tickSeq", next_tick_at AS "nextTickAt", row_version AS "rowVersion",
            created_at AS "createdAt", updated_at AS "updatedAt", started_at AS "startedAt", ended_at AS "endedAt",
            paused_at AS "pausedAt", approved_stage_index AS "approvedStageIndex"),
        t AS (INSERT INTO region_targets (release_id, stage_index, region, state, workloads)
          SELECT r.id, (s.value->>'index')::int, g.value->>'region', 'pending', g.value->'workloads'
          FROM r, jsonb_array_elements(r.plan->'stages') AS s, jsonb_array_elements(s.value->'regions') AS g
          RETURNING id, release_id AS "releaseId", stage_index AS "stageIndex", region, state, reason, workloads, previous,
            deploy_started_at AS "deployStartedAt", patched_at AS "patchedAt", rollout_completed_at AS "rolloutCompletedAt",
            bake_ends_at AS "bakeEndsAt", verified_at AS "verifiedAt", failed_at AS "failedAt",
            rollback_started_at AS "rollbackStartedAt", rollback_patched_at AS "rollbackPatchedAt", rolled_back_at AS "rolledBackAt",
            gate_status AS "gateStatus", blocked_reason AS "blockedReason", drain, updated_at AS "updatedAt"),
        e AS (INSERT INTO release_events (release_id, type, actor, region, from_state, to_state, reason, data)
          SELECT r.id, x.type, x.actor, x.region, x.from_state, x.to_state, x.reason, x.data
          FROM r JOIN p ON p.service = r.service
            JOIN unnest(e_service, e_when, e_type, e_actor, e_region, e_from, e_to, e_reason, e_data)
              WITH ORDINALITY AS x(service, "when", type, actor, region, from_state, to_state, reason, data, ord)
            ON x.service = r.service AND x."when" IN ('always', CASE WHEN p.active THEN 'busy' ELSE 'idle' END)
          ORDER BY x.ord)
        SELECT p.ord, p.at, p.active, p.by_key, p.by_number, p.newer, to_jsonb(r) - 'plan',
          (SELECT coalesce(json_agg(y ORDER BY y."stageIndex", y.region), '[]'::json) FROM t y WHERE y."releaseId" = r.id)
        FROM p LEFT JOIN r ON r.service = p.service
        ORDER BY p.ord;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION tideline_create_releases`);
  }
}
