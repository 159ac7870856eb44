import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prometheus' `warnings` and `infos` beside a successful answer, kept with each gate
 * evaluation (issue 15 F). Reviewed by hand: NOT NULL with a default of `[]`, so evaluations
 * stored before this migration read as "Prometheus said nothing more" (no row is rewritten:
 * the table stays append-only).
 */
export class GateNotes1796171479893 implements MigrationInterface {
  name = 'GateNotes1796171479893';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "gate_evaluations" ADD "warnings" jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`ALTER TABLE "gate_evaluations" ADD "infos" jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "gate_evaluations" DROP COLUMN "infos"`);
    await q.query(`ALTER TABLE "gate_evaluations" DROP COLUMN "warnings"`);
  }
}
