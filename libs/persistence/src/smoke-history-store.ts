/** Time-to-smoke history: each region of a service's past releases whose gate failed after its rollout completed. */
import type { SmokeSample } from '#domain';
import type { Db } from './db.js';

interface Row {
  release_id: string;
  version: string;
  region: string;
  rollout_completed_at: Date;
  gate: string;
  phase: 'bake' | 'watch';
  evaluated_at: Date;
}

export class SmokeHistoryStore {
  constructor(private readonly db: Db) {}

  /**
   * The first failing gate evaluation of every region target of the service whose rollout
   * completed since `since` (the bake and, for slow smokes, after verification), oldest first.
   */
  async samples(service: string, since: Date, limit = 1000): Promise<SmokeSample[]> {
    const rows: Row[] = await this.db.read((m) =>
      m.query(
        `SELECT r.id AS release_id, r.version, t.region, t.rollout_completed_at, f.gate, f.phase, f.evaluated_at
           FROM region_targets t
           JOIN releases r ON r.id = t.release_id
           JOIN LATERAL (
             SELECT e.gate, e.phase, e.evaluated_at FROM gate_evaluations e
              WHERE e.release_id = t.release_id AND e.target_id = t.id AND e.verdict = 'fail' AND e.evaluated_at >= t.rollout_completed_at
              ORDER BY e.evaluated_at, e.id LIMIT 1) f ON true
          WHERE r.service = $1 AND t.rollout_completed_at IS NOT NULL AND t.rollout_completed_at >= $2
          ORDER BY f.evaluated_at, t.region
          LIMIT $3`,
        [service, since, limit],
      ),
    );
    return rows.map((r) => {
      const done = new Date(r.rollout_completed_at);
      const failed = new Date(r.evaluated_at);
      return {
        releaseId: r.release_id,
        version: r.version,
        region: r.region,
        gate: r.gate,
        phase: r.phase,
        rolloutCompletedAt: done,
        firstFailureAt: failed,
        delayMs: failed.getTime() - done.getTime(),
      };
    });
  }
}
