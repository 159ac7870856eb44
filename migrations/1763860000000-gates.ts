import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gates, pre-flight blockers and drains (issue 3). Generated with scripts/migration-generate.ts,
 * then reviewed:
 * - gate_evaluations is append-only like release_events (same trigger function);
 * - CHECK constraints on phase and verdict;
 * - new target/release columns are nullable, so releases created before this migration read as
 *   "no gate status, not blocked, never drained, never paused".
 */
export class Gates1763860000000 implements MigrationInterface {
  name = 'Gates1763860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "releases" ADD "paused_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "region_targets" ADD "gate_status" jsonb`);
    await q.query(`ALTER TABLE "region_targets" ADD "blocked_reason" text`);
    await q.query(`ALTER TABLE "region_targets" ADD "drain" jsonb`);
    await q.query(`CREATE TABLE "gate_evaluations" (
      "id" BIGSERIAL NOT NULL,
      "release_id" uuid NOT NULL,
      "target_id" uuid NOT NULL,
      "region" text NOT NULL,
      "stage_index" integer NOT NULL,
      "gate" text NOT NULL,
      "phase" text NOT NULL,
      "verdict" text NOT NULL,
      "reason" text NOT NULL,
      "query" text NOT NULL,
      "evidence_query" text,
      "baseline_query" text,
      "values" jsonb NOT NULL,
      "observed" jsonb,
      "baseline" jsonb,
      "evidence" jsonb,
      "threshold" text NOT NULL,
      "failing_series" jsonb NOT NULL,
      "duration_ms" integer NOT NULL,
      "evaluated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "ck_gate_evaluations_phase" CHECK ("phase" IN ('bake','watch')),
      CONSTRAINT "ck_gate_evaluations_verdict" CHECK ("verdict" IN ('pass','fail','inconclusive','error')),
      CONSTRAINT "PK_gate_evaluations" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_gate_evaluations_release" ON "gate_evaluations" ("release_id", "id")`);
    await q.query(
      `ALTER TABLE "gate_evaluations" ADD CONSTRAINT "fk_gate_evaluations_release" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE TRIGGER "tr_gate_evaluations_append_only" BEFORE UPDATE OR DELETE ON "gate_evaluations"
      FOR EACH ROW EXECUTE FUNCTION tideline_events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "tr_gate_evaluations_append_only" ON "gate_evaluations"`);
    await q.query(`ALTER TABLE "gate_evaluations" DROP CONSTRAINT "fk_gate_evaluations_release"`);
    await q.query(`DROP INDEX "public"."ix_gate_evaluations_release"`);
    await q.query(`DROP TABLE "gate_evaluations"`);
    await q.query(`ALTER TABLE "region_targets" DROP COLUMN "drain"`);
    await q.query(`ALTER TABLE "region_targets" DROP COLUMN "blocked_reason"`);
    await q.query(`ALTER TABLE "region_targets" DROP COLUMN "gate_status"`);
    await q.query(`ALTER TABLE "releases" DROP COLUMN "paused_at"`);
  }
}
