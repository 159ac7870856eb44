import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Generated with scripts/migration-generate.ts, then reviewed:
 * - ids default to the built-in gen_random_uuid() (no extension needed, PGlite-safe);
 * - CHECK constraints on state columns, so no code path can write an unknown state;
 * - release_events is append-only: a trigger refuses UPDATE and DELETE;
 * - the partial unique index enforces one active release per service.
 */
export class Init1763780000000 implements MigrationInterface {
  name = 'Init1763780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "releases" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "service" text NOT NULL,
      "version" text NOT NULL,
      "image" text NOT NULL,
      "release_number" integer NOT NULL,
      "git_sha" text,
      "requested_by" text,
      "idempotency_key" text,
      "state" text NOT NULL,
      "state_reason" text,
      "plan" jsonb NOT NULL,
      "stage_index" integer NOT NULL DEFAULT '0',
      "tick_seq" integer NOT NULL DEFAULT '0',
      "next_tick_at" TIMESTAMP WITH TIME ZONE,
      "row_version" integer NOT NULL DEFAULT '1',
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "started_at" TIMESTAMP WITH TIME ZONE,
      "ended_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "uq_releases_service_number" UNIQUE ("service", "release_number"),
      CONSTRAINT "uq_releases_idempotency_key" UNIQUE ("idempotency_key"),
      CONSTRAINT "ck_releases_state" CHECK ("state" IN ('queued','running','paused','awaiting_approval','rolling_back','succeeded','rolled_back','failed','cancelled','superseded')),
      CONSTRAINT "PK_releases" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_releases_service_created" ON "releases" ("service", "created_at")`);
    await q.query(`CREATE INDEX "ix_releases_state" ON "releases" ("state")`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_releases_one_active_per_service" ON "releases" ("service") WHERE state IN ('running','paused','awaiting_approval','rolling_back')`,
    );
    await q.query(`CREATE TABLE "region_targets" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "release_id" uuid NOT NULL,
      "stage_index" integer NOT NULL,
      "region" text NOT NULL,
      "state" text NOT NULL,
      "reason" text,
      "workloads" jsonb NOT NULL,
      "previous" jsonb,
      "deploy_started_at" TIMESTAMP WITH TIME ZONE,
      "patched_at" TIMESTAMP WITH TIME ZONE,
      "rollout_completed_at" TIMESTAMP WITH TIME ZONE,
      "bake_ends_at" TIMESTAMP WITH TIME ZONE,
      "verified_at" TIMESTAMP WITH TIME ZONE,
      "failed_at" TIMESTAMP WITH TIME ZONE,
      "rollback_started_at" TIMESTAMP WITH TIME ZONE,
      "rollback_patched_at" TIMESTAMP WITH TIME ZONE,
      "rolled_back_at" TIMESTAMP WITH TIME ZONE,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "uq_region_targets_release_region" UNIQUE ("release_id", "region"),
      CONSTRAINT "ck_region_targets_state" CHECK ("state" IN ('pending','deploying','baking','verified','failed','rolling_back','rolled_back','draining','drained','skipped')),
      CONSTRAINT "PK_region_targets" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "release_events" (
      "id" BIGSERIAL NOT NULL,
      "release_id" uuid NOT NULL,
      "type" text NOT NULL,
      "region" text,
      "from_state" text,
      "to_state" text,
      "actor" text NOT NULL,
      "reason" text,
      "data" jsonb,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_release_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_release_events_release" ON "release_events" ("release_id", "id")`);
    await q.query(
      `ALTER TABLE "region_targets" ADD CONSTRAINT "fk_region_targets_release" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "release_events" ADD CONSTRAINT "fk_release_events_release" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE FUNCTION tideline_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'release_events is append-only'; END $$`);
    await q.query(`CREATE TRIGGER "tr_release_events_append_only" BEFORE UPDATE OR DELETE ON "release_events"
      FOR EACH ROW EXECUTE FUNCTION tideline_events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "tr_release_events_append_only" ON "release_events"`);
    await q.query(`DROP FUNCTION tideline_events_append_only()`);
    await q.query(`ALTER TABLE "release_events" DROP CONSTRAINT "fk_release_events_release"`);
    await q.query(`ALTER TABLE "region_targets" DROP CONSTRAINT "fk_region_targets_release"`);
    await q.query(`DROP INDEX "public"."ix_release_events_release"`);
    await q.query(`DROP TABLE "release_events"`);
    await q.query(`DROP TABLE "region_targets"`);
    await q.query(`DROP INDEX "public"."uq_releases_one_active_per_service"`);
    await q.query(`DROP INDEX "public"."ix_releases_state"`);
    await q.query(`DROP INDEX "public"."ix_releases_service_created"`);
    await q.query(`DROP TABLE "releases"`);
  }
}
