import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drills (issue 12): a practised drain or rollback of one region, timed against a goal. One row
 * per drill with its phase, what it recorded before touching anything, both measurements and
 * whether the goal was met; `check_seq` / `next_check_at` let the sweeper finish a drill whose
 * job was lost. At most one drill in flight per region. `drill_events` is append-only.
 */
export class Drills1796171642320 implements MigrationInterface {
  name = 'Drills1796171642320';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "drills" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "kind" text NOT NULL,
      "region" text NOT NULL,
      "service" text,
      "goal_ms" integer NOT NULL,
      "max_duration_ms" integer NOT NULL,
      "actor" text NOT NULL,
      "reason" text NOT NULL,
      "state" text NOT NULL,
      "phase" text NOT NULL,
      "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "started_at" TIMESTAMP WITH TIME ZONE,
      "completed_at" TIMESTAMP WITH TIME ZONE,
      "deadline_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "drain_operation_id" uuid,
      "restore_operation_id" uuid,
      "recorded" jsonb,
      "target" jsonb,
      "target_version" text,
      "phase_started_at" TIMESTAMP WITH TIME ZONE,
      "first_ms" integer,
      "second_ms" integer,
      "met_goal" boolean,
      "undone" boolean NOT NULL DEFAULT false,
      "note" text,
      "check_seq" integer NOT NULL DEFAULT '1',
      "next_check_at" TIMESTAMP WITH TIME ZONE,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "ck_drills_kind" CHECK ("kind" IN ('drain','rollback')),
      CONSTRAINT "ck_drills_state" CHECK ("state" IN ('running','undoing','succeeded','failed','aborted')),
      CONSTRAINT "PK_drills" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_drills_region_kind" ON "drills" ("region", "kind", "requested_at")`);
    await q.query(`CREATE INDEX "ix_drills_due" ON "drills" ("next_check_at") WHERE next_check_at IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX "uq_drills_one_in_flight" ON "drills" ("region") WHERE state IN ('running','undoing')`);
    await q.query(`CREATE TABLE "drill_events" (
      "id" BIGSERIAL NOT NULL,
      "drill_id" uuid NOT NULL,
      "type" text NOT NULL,
      "actor" text NOT NULL,
      "reason" text,
      "data" jsonb,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_drill_events" PRIMARY KEY ("id"),
      CONSTRAINT "fk_drill_events_drill" FOREIGN KEY ("drill_id") REFERENCES "drills"("id") ON DELETE RESTRICT)`);
    await q.query(`CREATE INDEX "ix_drill_events_drill" ON "drill_events" ("drill_id", "id")`);
    await q.query(
      `CREATE FUNCTION drill_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'drill_events is append-only'; END $$`,
    );
    await q.query(
      `CREATE TRIGGER "drill_events_append_only" BEFORE UPDATE OR DELETE ON "drill_events" FOR EACH ROW EXECUTE FUNCTION drill_events_append_only()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "drill_events_append_only" ON "drill_events"`);
    await q.query(`DROP FUNCTION drill_events_append_only()`);
    await q.query(`DROP TABLE "drill_events"`);
    await q.query(`DROP TABLE "drills"`);
  }
}
