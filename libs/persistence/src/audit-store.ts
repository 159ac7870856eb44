/**
 * The audit trail: every event a person (or CI) caused — release actions with their actor and
 * reason — every region drain or restore, and every step of a drill (by whoever asked for it),
 * newest first, in one list.
 */
import type { Db } from './db.js';

export interface AuditFilter {
  /** events of this actor are the engine's own and not listed */
  engineActor: string;
  actor?: string;
  type?: string;
  region?: string;
  releaseId?: string;
  since?: Date;
  limit: number;
  offset: number;
}

export interface AuditEntry {
  /** `event:<id>`, `region-operation:<uuid>` or `drill-event:<id>` */
  id: string;
  at: Date;
  actor: string;
  type: string;
  releaseId: string | null;
  service: string | null;
  region: string | null;
  reason: string | null;
  fromState: string | null;
  toState: string | null;
  data: Record<string, unknown> | null;
}

const ENTRIES = `
  SELECT 'event:' || e.id AS id, e.created_at AS at, e.actor, e.type, e.release_id::text AS release_id, r.service,
         e.region, e.reason, e.from_state, e.to_state, e.data
    FROM release_events e JOIN releases r ON r.id = e.release_id
   WHERE e.actor <> $1
  UNION ALL
  SELECT 'region-operation:' || o.id, o.requested_at, o.actor, 'region.' || o.kind, NULL, NULL,
         o.region, o.reason, NULL, o.state,
         jsonb_build_object('operationId', o.id, 'state', o.state, 'targetWeight', o.target_weight, 'previousWeight', o.previous_weight,
                            'preDrainRate', o.pre_drain_rate, 'verifyMs', o.verify_ms, 'drain99Ms', o.drain99_ms, 'note', o.note,
                            'completedAt', o.completed_at)
    FROM region_operations o
  UNION ALL
  SELECT 'drill-event:' || de.id, de.created_at, de.actor, de.type, NULL, d.service, d.region, de.reason, NULL, NULL,
         jsonb_build_object('drillId', d.id, 'kind', d.kind) || coalesce(de.data, '{}'::jsonb)
    FROM drill_events de JOIN drills d ON d.id = de.drill_id`;

const WHERE = `($2::text IS NULL OR a.actor = $2) AND ($3::text IS NULL OR a.type = $3) AND ($4::text IS NULL OR a.region = $4)
  AND ($5::text IS NULL OR a.release_id = $5) AND ($6::timestamptz IS NULL OR a.at >= $6)`;

interface Row {
  id: string;
  at: Date;
  actor: string;
  type: string;
  release_id: string | null;
  service: string | null;
  region: string | null;
  reason: string | null;
  from_state: string | null;
  to_state: string | null;
  data: Record<string, unknown> | null;
}

export class AuditStore {
  constructor(private readonly db: Db) {}

  list(f: AuditFilter): Promise<{ items: AuditEntry[]; total: number }> {
    const params = [f.engineActor, f.actor ?? null, f.type ?? null, f.region ?? null, f.releaseId ?? null, f.since ?? null];
    return this.db.read(async (m) => {
      const rows: Row[] = await m.query(`SELECT * FROM (${ENTRIES}) a WHERE ${WHERE} ORDER BY a.at DESC, a.id DESC LIMIT $7 OFFSET $8`, [
        ...params,
        f.limit,
        f.offset,
      ]);
      const [count] = (await m.query(`SELECT count(*)::int AS n FROM (${ENTRIES}) a WHERE ${WHERE}`, params)) as Array<{ n: number }>;
      return {
        total: count?.n ?? 0,
        items: rows.map((r) => ({
          id: r.id,
          at: new Date(r.at),
          actor: r.actor,
          type: r.type,
          releaseId: r.release_id,
          service: r.service,
          region: r.region,
          reason: r.reason,
          fromState: r.from_state,
          toState: r.to_state,
          data: r.data,
        })),
      };
    });
  }
}
