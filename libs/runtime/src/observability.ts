/**
 * Wires Tideline's metrics and transition logs around the stores the engine already commits
 * through: every committed step is counted (events by type, region steps, gate verdicts,
 * drains) and logged at info with releaseId, service and region; scrape-time gauges read
 * Postgres (releases by state) and Redis (queue depth). The engine itself stays unaware.
 */
import type { Logger as PinoLogger } from 'pino';
import { QUEUES } from '#application';
import { ACTIVE_RELEASE_STATES } from '#domain';
import { TidelineMetrics, type JobQueues } from '#integrations';
import type { Db, NotificationStore, RegionOperationStore, ReleaseStore } from '#persistence';

type StepArgs = Parameters<ReleaseStore['applyStep']>;

/** The first event of these types in a release starts its failure action. */
const ACTIONS: Record<string, string> = {
  'region.restore_patched': 'rollback',
  'region.drain_started': 'drain',
  'release.paused': 'pause',
};
const WAITING_SQL = ['queued', ...ACTIVE_RELEASE_STATES].map((state) => `'${state}'`).join(', ');
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

/** Count and log every step the engine (or an operator's action) commits. */
export function observeReleaseStore(store: ReleaseStore, db: Db, metrics: TidelineMetrics, log: PinoLogger): void {
  const applyStep = store.applyStep.bind(store);
  store.applyStep = async (...args: StepArgs) => {
    const seq = await applyStep(...args);
    try {
      recordStep(args, db, metrics, log);
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not record metrics for a step');
    }
    return seq;
  };
  // A release created (or started from the queue) is written outside applyStep.
  const create = store.create.bind(store);
  store.create = async (...args: Parameters<ReleaseStore['create']>) => {
    const result = await create(...args);
    if (result.kind === 'created')
      recordStep(
        [result.release, { events: [{ type: 'release.created', actor: args[1], toState: result.release.state }] }],
        db,
        metrics,
        log,
      );
    return result;
  };
  const promote = store.promoteNextQueued.bind(store);
  store.promoteNextQueued = async (...args: Parameters<ReleaseStore['promoteNextQueued']>) => {
    const next = await promote(...args);
    if (next)
      recordStep(
        [next, { events: [{ type: 'release.started', actor: 'tideline', fromState: 'queued', toState: 'running' }] }],
        db,
        metrics,
        log,
      );
    return next;
  };
}

function recordStep([release, change]: StepArgs, db: Db, metrics: TidelineMetrics, log: PinoLogger): void {
  const service = release.service;
  // one logger call per event with the release's fields inline (a pino child per step cost more than its lines)
  const ids = { releaseId: release.id, service };
  for (const e of change.events ?? []) {
    metrics.transitions.inc({ service, type: e.type });
    if (e.region && e.type.startsWith('region.')) metrics.regionSteps.inc({ region: e.region, step: e.type.slice('region.'.length) });
    if (e.type === 'region.drained' && typeof e.data?.drainMs === 'number' && e.region) {
      metrics.drainDuration.observe(
        { region: e.region, kind: 'release', outcome: e.reason ? 'unverified' : 'drained' },
        e.data.drainMs / 1000,
      );
    }
    const fields = {
      ...ids,
      ...(e.region ? { region: e.region } : {}),
      event: e.type,
      from: e.fromState ?? null,
      to: e.toState ?? null,
      actor: e.actor,
      reason: e.reason ?? null,
    };
    log.info(fields, `${e.type}${e.region ? ` ${e.region}` : ''}${e.toState ? ` → ${e.toState}` : ''}`);
  }
  for (const ev of change.evaluations ?? [])
    metrics.gateEvaluations.inc({
      region: ev.region,
      stage: release.plan.stages[ev.stageIndex]?.name ?? 'unknown',
      verdict: ev.verdict,
    });
  const actionTypes = [...new Set((change.events ?? []).map((e) => e.type).filter((t) => t in ACTIONS))];
  for (const type of actionTypes) {
    if (type === 'release.paused' && !(change.events ?? []).some((e) => e.type === type && e.actor === 'tideline')) continue;
    void recordAction(db, metrics, release.id, service, type, (change.events ?? []).filter((e) => e.type === type).length).catch(
      (err: Error) => log.warn({ ...ids, err: err.message }, 'could not measure the failure action latency'),
    );
  }
}

/** When this commit holds the release's first action of `type`: verdict→action and breach→first rollback patch. */
async function recordAction(
  db: Db,
  metrics: TidelineMetrics,
  releaseId: string,
  service: string,
  type: string,
  inThisStep: number,
): Promise<void> {
  const rows: Array<{ actions: number; action_at: Date | null; verdict_at: Date | null; breach_at: Date | null }> = await db.read((m) =>
    m.query(
      `SELECT (SELECT count(*)::int FROM release_events WHERE release_id = $1 AND type = $2) AS actions,
              (SELECT min(created_at) FROM release_events WHERE release_id = $1 AND type = $2) AS action_at,
              (SELECT min(created_at) FROM release_events WHERE release_id = $1 AND type = 'gate.failed') AS verdict_at,
              (SELECT min(evaluated_at) FROM gate_evaluations WHERE release_id = $1 AND verdict = 'fail') AS breach_at`,
      [releaseId, type],
    ),
  );
  const r = rows[0];
  if (!r?.action_at || r.actions !== inThisStep) return;
  const at = new Date(r.action_at).getTime();
  if (r.verdict_at)
    metrics.verdictToAction.observe({ service, action: ACTIONS[type]! }, Math.max(0, at - new Date(r.verdict_at).getTime()) / 1000);
  if (type === 'region.restore_patched' && r.breach_at)
    metrics.breachToRollback.observe({ service }, Math.max(0, at - new Date(r.breach_at).getTime()) / 1000);
}

/** Deliveries that ended an attempt: sent, retry (failed), rate_limited, dead. */
export function observeNotificationStore(store: NotificationStore, metrics: TidelineMetrics): void {
  const { markSent, markRetry, markDead } = store;
  store.markSent = async (...a: Parameters<NotificationStore['markSent']>) => {
    await markSent.apply(store, a);
    metrics.notificationDeliveries.inc({ status: 'sent' });
  };
  store.markRetry = async (...a: Parameters<NotificationStore['markRetry']>) => {
    await markRetry.apply(store, a);
    metrics.notificationDeliveries.inc({ status: a[3] ? 'retry' : 'rate_limited' });
  };
  store.markDead = async (...a: Parameters<NotificationStore['markDead']>) => {
    await markDead.apply(store, a);
    metrics.notificationDeliveries.inc({ status: 'dead' });
  };
}

/** Drain times of region operations (drain outside releases). */
export function observeRegionOperations(ops: RegionOperationStore, db: Db, metrics: TidelineMetrics): void {
  const update = ops.update.bind(ops);
  ops.update = async (...a: Parameters<RegionOperationStore['update']>) => {
    const seq = await update(...a);
    const [id, patch] = a;
    if ((patch.state === 'drained' || patch.state === 'unverified') && typeof patch.verifyMs === 'number') {
      const verifyMs = patch.verifyMs;
      void db
        .read((m) => m.query(`SELECT region, kind FROM region_operations WHERE id = $1`, [id]))
        .then((rows: Array<{ region: string; kind: string }>) => {
          if (rows[0]?.kind === 'drain')
            metrics.drainDuration.observe({ region: rows[0].region, kind: 'operation', outcome: patch.state! }, verifyMs / 1000);
        })
        .catch(() => undefined);
    }
    return seq;
  };
}

/** Releases by state (not yet ended; ended ones are counted by transitions) and BullMQ queue depth. */
export function registerScrapeGauges(metrics: TidelineMetrics, db: Db, queues: JobQueues): void {
  metrics.gauge(
    'tideline_releases',
    'Releases not yet ended, by service and state (read from Postgres at scrape time)',
    ['service', 'state'],
    'postgres',
    async () => {
      const rows: Array<{ service: string; state: string; n: number }> = await db.read((m) =>
        m.query(`SELECT service, state, count(*)::int AS n FROM releases WHERE state IN (${WAITING_SQL}) GROUP BY service, state`),
      );
      return rows.map((r) => ({ labels: { service: r.service, state: r.state }, value: r.n }));
    },
  );
  metrics.gauge(
    'tideline_queue_jobs',
    'BullMQ jobs by queue and state (read from Redis at scrape time)',
    ['queue', 'state'],
    'redis',
    async () => {
      const out: Array<{ labels: Record<string, string>; value: number }> = [];
      for (const queue of Object.values(QUEUES)) {
        const counts = await queues.queue(queue).getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) out.push({ labels: { queue, state }, value: counts[state] ?? 0 });
      }
      return out;
    },
  );
}

export function createMetrics(): TidelineMetrics {
  return new TidelineMetrics();
}
