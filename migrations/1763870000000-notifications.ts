import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications (reviewed by hand):
 * - release_events.tx_id: the id of the transaction that wrote each event (xid8, set by a
 *   column default, so the engine's inserts are unchanged). The dispatcher reads events in
 *   (tx_id, id) order below the oldest transaction still running, so an event committed
 *   late by a slow transaction is never skipped by the cursor. Added without a value for
 *   the rows already there (no table rewrite): history written before notifications existed
 *   is never notified. Not mapped in the entities on purpose (only SQL reads it), so a
 *   generated draft may propose dropping it — do not.
 * - notification_deliveries: one row per (event, destination); the unique constraint is the
 *   idempotency key that keeps an event from being posted twice to a destination.
 * - notification_threads: the Slack parent message of each (release, destination).
 * - notification_cursors: how far the dispatcher has read release_events.
 */
export class Notifications1763870000000 implements MigrationInterface {
  name = 'Notifications1763870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "release_events" ADD COLUMN "tx_id" xid8`);
    await q.query(`ALTER TABLE "release_events" ALTER COLUMN "tx_id" SET DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX "ix_release_events_tx" ON "release_events" ("tx_id", "id") WHERE "tx_id" IS NOT NULL`);
    await q.query(`CREATE TABLE "notification_deliveries" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "event_id" bigint NOT NULL,
      "release_id" uuid NOT NULL,
      "destination" text NOT NULL,
      "event_type" text NOT NULL,
      "severity" text NOT NULL,
      "status" text NOT NULL,
      "attempts" integer NOT NULL DEFAULT '0',
      "failures" integer NOT NULL DEFAULT '0',
      "last_error" text,
      "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "lease_until" TIMESTAMP WITH TIME ZONE,
      "external_id" text,
      "sent_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "uq_notification_deliveries_event_destination" UNIQUE ("event_id", "destination"),
      CONSTRAINT "ck_notification_deliveries_status" CHECK ("status" IN ('pending','sending','sent','dead')),
      CONSTRAINT "ck_notification_deliveries_severity" CHECK ("severity" IN ('info','warning','failure')),
      CONSTRAINT "PK_notification_deliveries" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE INDEX "ix_notification_deliveries_thread" ON "notification_deliveries" ("release_id", "destination", "event_id")`,
    );
    await q.query(`CREATE INDEX "ix_notification_deliveries_created" ON "notification_deliveries" ("created_at")`);
    await q.query(
      `CREATE INDEX "ix_notification_deliveries_open" ON "notification_deliveries" ("next_attempt_at") WHERE "status" IN ('pending','sending')`,
    );
    await q.query(
      `ALTER TABLE "notification_deliveries" ADD CONSTRAINT "fk_notification_deliveries_event" FOREIGN KEY ("event_id") REFERENCES "release_events"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "notification_deliveries" ADD CONSTRAINT "fk_notification_deliveries_release" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE TABLE "notification_threads" (
      "release_id" uuid NOT NULL,
      "destination" text NOT NULL,
      "channel" text NOT NULL,
      "parent_ts" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_notification_threads" PRIMARY KEY ("release_id", "destination"))`);
    await q.query(
      `ALTER TABLE "notification_threads" ADD CONSTRAINT "fk_notification_threads_release" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE TABLE "notification_cursors" (
      "name" text NOT NULL,
      "last_tx_id" bigint NOT NULL,
      "last_event_id" bigint NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_notification_cursors" PRIMARY KEY ("name"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "notification_cursors"`);
    await q.query(`ALTER TABLE "notification_threads" DROP CONSTRAINT "fk_notification_threads_release"`);
    await q.query(`DROP TABLE "notification_threads"`);
    await q.query(`ALTER TABLE "notification_deliveries" DROP CONSTRAINT "fk_notification_deliveries_release"`);
    await q.query(`ALTER TABLE "notification_deliveries" DROP CONSTRAINT "fk_notification_deliveries_event"`);
    await q.query(`DROP INDEX "public"."ix_notification_deliveries_open"`);
    await q.query(`DROP INDEX "public"."ix_notification_deliveries_created"`);
    await q.query(`DROP INDEX "public"."ix_notification_deliveries_thread"`);
    await q.query(`DROP TABLE "notification_deliveries"`);
    await q.query(`DROP INDEX "public"."ix_release_events_tx"`);
    await q.query(`ALTER TABLE "release_events" DROP COLUMN "tx_id"`);
  }
}
