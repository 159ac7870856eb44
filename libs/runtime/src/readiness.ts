/** Readiness of a process: Postgres and Redis answer (each bounded in time), naming what is down. */
import { QUEUES } from '#application';
import { withTimeout, type JobQueues } from '#integrations';
import type { Db } from '#persistence';

export interface Readiness {
  ready: boolean;
  /** dependency → "ok" or why it is not */
  checks: Record<string, string>;
}

export async function checkReadiness(db: Db, queues: JobQueues, timeoutMs = 2_000): Promise<Readiness> {
  const checks: Record<string, string> = {};
  const probe = (name: string, p: () => Promise<unknown>) =>
    withTimeout(p(), timeoutMs, `${name} did not answer within ${timeoutMs / 1000}s`).then(
      () => (checks[name] = 'ok'),
      (e: Error) => (checks[name] = e.message || String(e)),
    );
  await Promise.all([
    probe('postgres', () => db.read((m) => m.query('SELECT 1'))),
    probe('redis', () => queues.queue(QUEUES.releases).getJobCounts('waiting')),
  ]);
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks: { postgres: checks.postgres!, redis: checks.redis! } };
}
