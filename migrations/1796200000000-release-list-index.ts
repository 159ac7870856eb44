import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The release list (newest first, `GET /v1/releases`) reads its page from an index instead of
 * sorting every release on each request (issue 13).
 */
export class ReleaseListIndex1796200000000 implements MigrationInterface {
  name = 'ReleaseListIndex1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_releases_created" ON "releases" ("created_at", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_releases_created"`);
  }
}
