import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable approvals (issue 4): the index of the last stage an operator approved. Replaces
 * the old guess ("every region of the stage is still pending") that resume used to decide
 * between running and awaiting_approval. Nullable: releases created before this migration
 * read as "no stage approved".
 */
export class Approvals1763940000000 implements MigrationInterface {
  name = 'Approvals1763940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "releases" ADD "approved_stage_index" integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "releases" DROP COLUMN "approved_stage_index"`);
  }
}
