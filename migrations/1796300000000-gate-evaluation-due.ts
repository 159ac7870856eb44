import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each gate evaluation keeps when it was due (issue 13: due times are kept on a grid), so how
 * late gates run can be read from the history; null for evaluations stored before, and for one
 * run before it was due (at the end of a region's bake).
 */
export class GateEvaluationDue1796300000000 implements MigrationInterface {
  name = 'GateEvaluationDue1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "gate_evaluations" ADD COLUMN "due_at" timestamptz NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "gate_evaluations" DROP COLUMN "due_at"`);
  }
}
