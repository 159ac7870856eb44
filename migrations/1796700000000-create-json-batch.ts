import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CreateInOneRoundTrip1796500000000 } from './1796500000000-create-in-one-round-trip.js';

/**
 * `tideline_create_releases` takes its creates and their events as two JSON arrays instead of
 * nineteen SQL arrays (issue 13): a plan travelled as an element of a `jsonb[]`, which the client
 * escaped character by character into an array literal and Postgres parsed back; now the batch is
 * one JSON text. It hands back only what Postgres chose — the release's id and `updated_at`, and
 * its targets' ids and regions in the order the API lists them — instead of every column of the
 * release and of its twenty targets as JSON: the caller sent the rest (the row and events of the
 * variant the returned `active` picks, the plan each target comes from). What is decided and
 * written is as before (1796500000000), and the statement keeps one generic plan (1796600000000).
 */
export class CreateJsonBatch1796700000000 implements MigrationInterface {
  name = 'CreateJsonBatch1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION tideline_create_releases(text[], text[], text[], text[], int[], text[], text[], text[], jsonb[],
      jsonb[], jsonb[], text[], text[], text[], text[], text[], text[], text[], text[], jsonb[])`);
    await q.query(`CREATE FUNCTION tideline_create_releases(locks text[], creates json, events json)
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
        t AS (INSERT INTO region_targets (release_id, stage_index, region, state, workloads)
          SELECT r.id, (s.value->>'index')::int, g.value->>'region', 'pending', g.value->'workloads'
          FROM r, jsonb_array_elements(r.plan->'stages') AS s, jsonb_array_elements(s.value->'regions') AS g
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
          (SELECT json_agg(json_build_array(y.id, y.region) ORDER BY y.stage_index, y.region) FROM t y WHERE y.release_id = r.id)
        FROM p LEFT JOIN r ON r.service = p.service
        ORDER BY p.ord;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION tideline_create_releases(text[], json, json)`);
    await new CreateInOneRoundTrip1796500000000().up(q);
    await q.query(`ALTER FUNCTION tideline_create_releases SET plan_cache_mode = force_generic_plan`);
  }
}
