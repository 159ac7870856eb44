/** Read-only facts from past releases for the plan dry run: typical deploy time, the version running now, the active release. */
import type { Db } from './db.js';

export interface TypicalDeploy {
  /** median time from a region's deploy start to its rollout complete */
  medianMs: number;
  samples: number;
}

export class DeployHistory {
  constructor(private readonly db: Db) {}

  /** Over the service's last `limit` completed region deploys; null without any. */
  typicalDeploy(service: string, limit = 50): Promise<TypicalDeploy | null> {
    return this.db.read(async (m) => {
      const rows = (await m.query(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median, count(*)::int AS n FROM (
           SELECT EXTRACT(EPOCH FROM (t.rollout_completed_at - t.deploy_started_at)) * 1000 AS ms
           FROM region_targets t JOIN releases r ON r.id = t.release_id
           WHERE r.service = $1 AND t.deploy_started_at IS NOT NULL AND t.rollout_completed_at IS NOT NULL
           ORDER BY t.rollout_completed_at DESC LIMIT $2) d`,
        [service, limit],
      )) as Array<{ median: number | string | null; n: number }>;
      const row = rows[0];
      if (!row || row.n === 0 || row.median === null) return null;
      return { medianMs: Math.max(0, Math.round(Number(row.median))), samples: row.n };
    });
  }

  /** The version of the service's newest succeeded release (what runs now, as far as Tideline knows). */
  currentVersion(service: string): Promise<string | null> {
    return this.db.read(async (m) => {
      const rows = (await m.query(
        `SELECT version FROM releases WHERE service = $1 AND state = 'succeeded' ORDER BY ended_at DESC NULLS LAST LIMIT 1`,
        [service],
      )) as Array<{ version: string }>;
      return rows[0]?.version ?? null;
    });
  }

  /** The service's release in progress (running, paused, awaiting approval, rolling back), if any. */
  activeRelease(service: string): Promise<{ id: string; state: string } | null> {
    return this.db.read(async (m) => {
      const rows = (await m.query(
        `SELECT id, state FROM releases WHERE service = $1 AND state IN ('running','paused','awaiting_approval','rolling_back') LIMIT 1`,
        [service],
      )) as Array<{ id: string; state: string }>;
      return rows[0] ?? null;
    });
  }
}
