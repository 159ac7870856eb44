import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Region drain and restore outside any release (issue 4): one row per operation, with who
 * asked, why and when, the traffic weights, the request rate before the drain, how long the
 * drain took to verify and to reach 99%, and where the operation stands. Reviewed by hand:
 * - CHECK constraints on kind and state;
 * - at most one operation in flight per region (partial unique index);
 * - `check_seq` / `next_check_at` let the sweeper find an operation whose job was lost.
 */
export class RegionOperations1763950000000 implements MigrationInterface {
  name = 'RegionOperations1763950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "region_operations" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "region" text NOT NULL,
      "kind" text NOT NULL,
      "state" text NOT NULL,
      "actor" text NOT NULL,
      "reason" text,
      "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "started_at" TIMESTAMP WITH TIME ZONE,
      "completed_at" TIMESTAMP WITH TIME ZONE,
      "previous_weight" double precision,
      "target_weight" double precision NOT NULL,
      "pre_drain_rate" double precision,
      "last_rate" double precision,
      "verify_ms" integer,
      "drain99_ms" integer,
      "note" text,
      "check_seq" integer NOT NULL DEFAULT '0',
      "next_check_at" TIMESTAMP WITH TIME ZONE,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "ck_region_operations_kind" CHECK ("kind" IN ('drain','restore')),
      CONSTRAINT "ck_region_operations_state" CHECK ("state" IN ('pending','draining','drained','restoring','restored','unverified','failed','superseded')),
      CONSTRAINT "PK_region_operations" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_region_operations_region" ON "region_operations" ("region", "requested_at")`);
    await q.query(`CREATE INDEX "ix_region_operations_requested" ON "region_operations" ("requested_at")`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_region_operations_one_in_flight" ON "region_operations" ("region") WHERE state IN ('pending','draining','restoring')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."uq_region_operations_one_in_flight"`);
    await q.query(`DROP INDEX "public"."ix_region_operations_requested"`);
    await q.query(`DROP INDEX "public"."ix_region_operations_region"`);
    await q.query(`DROP TABLE "region_operations"`);
  }
}
