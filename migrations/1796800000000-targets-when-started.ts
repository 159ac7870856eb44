import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CreateInOneRoundTrip1796500000000 } from './1796500000000-create-in-one-round-trip.js';
import { CreateGenericPlan1796600000000 } from './1796600000000-create-generic-plan.js';
import { CreateJsonBatch1796700000000 } from './1796700000000-create-json-batch.js';

/**
 * A release's targets become rows when it starts (issue 13; libs/persistence/src/planned-targets.ts):
 * `tideline_create_releases` writes the twenty target rows only for a release that starts at once;
 * one queued behind an active release gets none (the commit that starts it writes them), and the
 * call answers the ids and regions its planned targets will have. A target's id is now derived
 * from its release and region (md5 of `release id/region`, as planned-targets.ts's targetIdSql),
 * so the targets a reader is shown before the release starts keep their ids once they are rows.
 * Measured in bench:api (a create queued behind its service's running release): Postgres CPU per
 * create 0.75 → 0.27 ms. Everything else the call decides and writes is as in 1796700000000.
 */
export class TargetsWhenStarted1796800000000 implements MigrationInterface {
  name = 'TargetsWhenStarted1796800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION tideline_create_releases(locks text[], creates json, events json)
      RETURNS TABLE (ord bigint, at timestamptz, active boolean, by_key uuid, by_number uuid, newer uuid,
        id uuid, updated_at timestamptz, targets json)
      LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
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
          FROM ROWS FROM (json_to_recordset(creates) AS (service text, version text, image text, number int,
            git_sha text, requested_by text, key text, plan jsonb, idle jsonb, busy jsonb))
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
          RETURNING id, service, plan, updated_at),
        t AS (INSERT INTO region_targets (id, release_id, stage_index, region, state, workloads)
          SELECT md5(r.id::text || '/' || (g.value->>'region'))::uuid, r.id, (s.value->>'index')::int, g.value->>'region', 'pending',
            g.value->'workloads'
          FROM r JOIN w ON w.service = r.service AND NOT w.active,
            jsonb_array_elements(r.plan->'stages') AS s, jsonb_array_elements(s.value->'regions') AS g
          RETURNING id, release_id, stage_index, region),
        e AS (INSERT INTO release_events (release_id, type, actor, region, from_state, to_state, reason, data)
          SELECT r.id, x.type, x.actor, x.region, x.from_state, x.to_state, x.reason, x.data
          FROM r JOIN p ON p.service = r.service
            JOIN ROWS FROM (json_to_recordset(events) AS (service text, "when" text, type text, actor text, region text,
              from_state text, to_state text, reason text, data jsonb))
              WITH ORDINALITY AS x(service, "when", type, actor, region, from_state, to_state, reason, data, ord)
            ON x.service = r.service AND x."when" IN ('always', CASE WHEN p.active THEN 'busy' ELSE 'idle' END)
          ORDER BY x.ord)
        SELECT p.ord, p.at, p.active, p.by_key, p.by_number, p.newer, r.id, r.updated_at,
          CASE WHEN r.id IS NULL THEN NULL
            WHEN p.active THEN (SELECT json_agg(json_build_array(md5(r.id::text || '/' || (g.value->>'region'))::uuid, g.value->>'region')
                ORDER BY (s.value->>'index')::int, g.value->>'region')
              FROM jsonb_array_elements(p.plan->'stages') AS s, jsonb_array_elements(s.value->'regions') AS g)
            ELSE (SELECT json_agg(json_build_array(y.id, y.region) ORDER BY y.stage_index, y.region) FROM t y WHERE y.release_id = r.id)
          END
        FROM p LEFT JOIN r ON r.service = p.service
        ORDER BY p.ord;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Queued releases created meanwhile have no target rows: give them theirs, pending, as before.
    await q.query(`INSERT INTO region_targets (release_id, stage_index, region, state, workloads)
      SELECT r.id, (s.value->>'index')::int, g.value->>'region', CASE WHEN r.ended_at IS NULL THEN 'pending' ELSE 'skipped' END,
        g.value->'workloads'
      FROM releases r, jsonb_array_elements(r.plan->'stages') AS s, jsonb_array_elements(s.value->'regions') AS g
      WHERE r.started_at IS NULL AND NOT EXISTS (SELECT 1 FROM region_targets x WHERE x.release_id = r.id)`);
    // the function as 1796700000000 made it (which replaced 1796500000000's, kept on a generic plan by 1796600000000)
    await q.query(`DROP FUNCTION tideline_create_releases(text[], json, json)`);
    await new CreateInOneRoundTrip1796500000000().up(q);
    await new CreateGenericPlan1796600000000().up(q);
    await new CreateJsonBatch1796700000000().up(q);
  }
}
