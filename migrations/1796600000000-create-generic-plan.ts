import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `tideline_create_releases` (1796500000000) plans its statement once and keeps the plan: with
 * the default plan_cache_mode, PL/pgSQL plans a statement whose arrays are the function's
 * arguments for each call's values (a custom plan sees the arrays' real lengths, looks cheaper than
 * the generic one and wins every time), and the statement is a large one — planning it each call
 * cost Postgres more than executing it for a create or two.
 */
export class CreateGenericPlan1796600000000 implements MigrationInterface {
  name = 'CreateGenericPlan1796600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION tideline_create_releases SET plan_cache_mode = force_generic_plan`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION tideline_create_releases RESET plan_cache_mode`);
  }
}
