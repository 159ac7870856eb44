/**
 * `npm run demo -- --history`: a realistic past for "Learning from history" — several past
 * releases of a service, each smoking in one region at a known delay after its rollout completed
 * (some during the bake, some after verification: slow smokes), and past drain drills of a
 * region getting faster — written to Postgres the way the engine writes them, in one
 * transaction. Also used by the tests, which need failures at known delays.
 */
/** A connection inside a transaction: TypeORM's EntityManager, or a pg client between BEGIN and COMMIT. */
export interface Sql {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface PastSmoke {
  region: string;
  /** from the region's rollout completing to its first failing gate evaluation */
  delayMs: number;
}

export interface SeedOptions {
  service: string;
  /** every region of the plan, canary first */
  regions: string[];
  /** one past release per smoke, oldest first */
  smokes: PastSmoke[];
  /** the bake the past releases had (failures after it are slow smokes, phase `watch`) */
  bakeMs: number;
  /** when the newest past release ended */
  now?: Date;
  gate?: string;
  /** past drills of a region: drain99 times, oldest first, against a 10m goal */
  drills?: { region: string; drain99Ms: number[] };
}

const MIN = 60_000;
const DAY = 86_400_000;

/** Writes the history (call it inside one transaction); answers the ids of the past releases (oldest first). */
export async function seedHistory(m: Sql, o: SeedOptions): Promise<string[]> {
  const now = (o.now ?? new Date()).getTime();
  const gate = o.gate ?? 'error-rate';
  const ids: string[] = [];
  {
    const [{ n }] = (await m.query(`SELECT coalesce(max(release_number), 0)::int AS n FROM releases WHERE service = $1`, [
      o.service,
    ])) as Array<{ n: number }>;
    for (const [i, smoke] of o.smokes.entries()) {
      const startedAt = now - (o.smokes.length - i) * 2 * DAY;
      const version = `0.${i + 1}.0`;
      const stages = o.regions.map((region, s) => ({
        index: s,
        name: s === 0 ? 'canary' : `wave-${s}`,
        kind: s === 0 ? 'canary' : 'wave',
        bakeMs: o.bakeMs,
        progressDeadlineMs: 10 * MIN,
        maxParallel: 1,
        onFailure: 'rollback',
        approval: 'none',
        gates: [],
        regions: [{ region, workloads: [{ namespace: 'shop', deployment: o.service, container: o.service }] }],
      }));
      const failingStage = Math.max(0, o.regions.indexOf(smoke.region));
      const failedAt = startedAt + failingStage * (o.bakeMs + 2 * MIN) + MIN + smoke.delayMs;
      const [{ id }] = (await m.query(
        `INSERT INTO releases (service, version, image, release_number, requested_by, state, state_reason, plan, stage_index, tick_seq, created_at, started_at, ended_at, updated_at)
         VALUES ($1, $2, $3, $4, 'history', 'rolled_back', $5, $6::jsonb, $7, 0, $8, $8, $9, $9) RETURNING id`,
        [
          o.service,
          version,
          `registry.example.com/shop/${o.service}:${version}`,
          n + i + 1,
          `gate ${gate} failed in ${smoke.region}`,
          JSON.stringify({ planName: o.service, service: o.service, stages }),
          failingStage,
          new Date(startedAt),
          new Date(failedAt + 3 * MIN),
        ],
      )) as Array<{ id: string }>;
      ids.push(id);
      for (const [s, region] of o.regions.entries()) {
        if (s > failingStage && region !== smoke.region) continue;
        const completed = startedAt + s * (o.bakeMs + 2 * MIN) + MIN;
        const failing = region === smoke.region;
        const [{ id: targetId }] = (await m.query(
          `INSERT INTO region_targets (release_id, stage_index, region, state, reason, workloads, deploy_started_at, patched_at, rollout_completed_at, bake_ends_at, verified_at, failed_at, rolled_back_at)
           VALUES ($1, $2, $3, 'rolled_back', $4, $5::jsonb, $6, $6, $7, $8, $9, $10, $11) RETURNING id`,
          [
            id,
            s,
            region,
            failing ? `gate ${gate} failed` : null,
            JSON.stringify([{ namespace: 'shop', deployment: o.service, container: o.service }]),
            new Date(completed - MIN),
            new Date(completed),
            new Date(completed + o.bakeMs),
            failing && smoke.delayMs < o.bakeMs ? null : new Date(completed + o.bakeMs),
            failing ? new Date(failedAt) : null,
            new Date(failedAt + 2 * MIN),
          ],
        )) as Array<{ id: string }>;
        // passing evaluations every minute, then (in the smoking region) the first failure
        const until = failing ? failedAt : Math.min(failedAt, completed + o.bakeMs);
        const evals: Array<[number, 'pass' | 'fail']> = [];
        for (let t = completed + MIN; t < until; t += MIN) evals.push([t, 'pass']);
        if (failing) evals.push([failedAt, 'fail']);
        for (const [t, verdict] of evals) {
          await m.query(
            `INSERT INTO gate_evaluations (release_id, target_id, region, stage_index, gate, phase, verdict, reason, query, values, observed, threshold, failing_series, duration_ms, evaluated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'history', '[]'::jsonb, $9::jsonb, '< 0.01', '[]'::jsonb, 12, $10)`,
            [
              id,
              targetId,
              region,
              s,
              gate,
              t - completed < o.bakeMs ? 'bake' : 'watch',
              verdict,
              verdict === 'fail' ? '0.05 is not < 0.01' : '0.001 < 0.01',
              verdict === 'fail' ? '0.05' : '0.001',
              new Date(t),
            ],
          );
        }
      }
      await m.query(
        `INSERT INTO release_events (release_id, type, actor, region, from_state, to_state, reason, created_at) VALUES
           ($1, 'release.created', 'history', NULL, NULL, 'running', NULL, $2),
           ($1, 'gate.failed', 'tideline', $3, NULL, NULL, $4, $5),
           ($1, 'release.rolled_back', 'tideline', NULL, 'rolling_back', 'rolled_back', $4, $6)`,
        [id, new Date(startedAt), smoke.region, `gate ${gate} failed`, new Date(failedAt), new Date(failedAt + 3 * MIN)],
      );
    }
    for (const [i, ms] of (o.drills?.drain99Ms ?? []).entries()) {
      const at = now - ((o.drills!.drain99Ms.length - i) * 7 + 1) * DAY;
      const [{ id }] = (await m.query(
        `INSERT INTO drills (kind, region, goal_ms, max_duration_ms, actor, reason, state, phase, requested_at, started_at, completed_at, deadline_at, first_ms, second_ms, met_goal)
         VALUES ('drain', $1, $2, $3, 'history', 'weekly drain practice', 'succeeded', 'done', $4, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          o.drills!.region,
          10 * MIN,
          30 * MIN,
          new Date(at),
          new Date(at + ms + 2 * MIN),
          new Date(at + 30 * MIN),
          ms,
          90_000,
          ms <= 10 * MIN,
        ],
      )) as Array<{ id: string }>;
      await m.query(
        `INSERT INTO drill_events (drill_id, type, actor, reason, data, created_at) VALUES ($1, 'drill.started', 'history', 'weekly drain practice', $2::jsonb, $3), ($1, 'drill.succeeded', 'history', NULL, $4::jsonb, $5)`,
        [
          id,
          JSON.stringify({ region: o.drills!.region, kind: 'drain' }),
          new Date(at),
          JSON.stringify({ region: o.drills!.region, firstMs: ms, goalMs: 10 * MIN, metGoal: ms <= 10 * MIN }),
          new Date(at + ms + 2 * MIN),
        ],
      );
    }
  }
  return ids;
}

/** The demo's past: six smokes of checkout at 5, 10, 12, 15, 20 and 22 minutes (mean 14m → bake 28m), three drain drills. */
export const DEMO_HISTORY: Omit<SeedOptions, 'service' | 'regions'> = {
  bakeMs: 12 * MIN,
  smokes: [
    { region: 'eu-central', delayMs: 12 * MIN },
    { region: 'us-east', delayMs: 5 * MIN },
    { region: 'ap-south', delayMs: 22 * MIN },
    { region: 'us-west', delayMs: 10 * MIN },
    { region: 'eu-central', delayMs: 20 * MIN },
    { region: 'us-east', delayMs: 15 * MIN },
  ],
  drills: { region: 'eu-central', drain99Ms: [14 * MIN, 9 * MIN, 6 * MIN] },
};

type Say = (line: string) => void;
const fmt = (ms: number | null | undefined) => (ms == null ? '-' : ms >= MIN ? `${(ms / MIN).toFixed(1)}m` : `${(ms / 1000).toFixed(1)}s`);

/** `--history`, before the release: the past, written in one transaction. */
export async function seedDemoHistory(
  db: { tx<T>(fn: (m: Sql) => Promise<T>): Promise<T> },
  service: string,
  regions: string[],
  say: Say,
): Promise<void> {
  const ids = await db.tx((m) => seedHistory(m, { service, regions, ...DEMO_HISTORY }));
  say(
    `--history: ${ids.length} past releases of ${service} that smoked ${DEMO_HISTORY.smokes.map((s) => `${s.delayMs / MIN}m`).join(', ')} after a region's rollout, and ${DEMO_HISTORY.drills!.drain99Ms.length} past drain drills of ${DEMO_HISTORY.drills!.region}`,
  );
}

/** `--history`, after the release: time-to-smoke, a proposed plan, and a real drain drill with its trend. */
export async function showHistory(api: string, headers: Record<string, string>, service: string, say: Say): Promise<void> {
  const get = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${api}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await res.json()) as T;
  };
  type Group = {
    failures: number;
    meanMs: number | null;
    p90Ms: number | null;
    recommendations: { twiceMean: { bakeMs: number; reason: string }; p95: { bakeMs: number } };
  };
  const smoke = await get<{ overall: Group; regions: Array<Group & { region: string }> }>(`/v1/services/${service}/time-to-smoke`);
  say(`time-to-smoke of ${service} (GET /v1/services/${service}/time-to-smoke):`);
  for (const g of [{ region: 'overall', ...smoke.overall }, ...smoke.regions]) {
    say(
      `  ${g.region.padEnd(11)} ${String(g.failures).padStart(2)} failures  mean ${fmt(g.meanMs).padStart(6)}  p90 ${fmt(g.p90Ms).padStart(6)}  bake ${fmt(g.recommendations.twiceMean.bakeMs)} (p95 ${fmt(g.recommendations.p95.bakeMs)}): ${g.recommendations.twiceMean.reason}`,
    );
  }
  const proposal = await get<{
    plan: {
      canary: { region: string; reason: string };
      waves: Array<{ name: string; regions: Array<{ region: string; reason: string }> }>;
    };
  }>('/v1/plans/propose', { service });
  say('proposed plan (POST /v1/plans/propose; answers YAML too):');
  say(`  canary      ${proposal.plan.canary.region}: ${proposal.plan.canary.reason}`);
  for (const w of proposal.plan.waves) say(`  ${w.name.padEnd(26)} ${w.regions.map((r) => r.region).join(', ')}: ${w.regions[0]!.reason}`);
  const region = DEMO_HISTORY.drills!.region;
  const started = await get<{ drill?: { id: string }; detail?: string }>('/v1/drills', {
    kind: 'drain',
    region,
    goal: '10m',
    reason: 'demo drill',
  });
  if (!started.drill) return say(`drill refused: ${started.detail}`);
  say(`drain drill of ${region} (POST /v1/drills), goal 10m…`);
  let drill: { state: string; firstMs: number | null; secondMs: number | null; metGoal: boolean | null } = {
    state: 'running',
    firstMs: null,
    secondMs: null,
    metGoal: null,
  };
  for (let i = 0; i < 600 && (drill.state === 'running' || drill.state === 'undoing'); i++) {
    await new Promise((r) => setTimeout(r, 500));
    drill = await get(`/v1/drills/${started.drill.id}`);
  }
  say(
    `  ${drill.state}: 99% drained in ${fmt(drill.firstMs)}, restored in ${fmt(drill.secondMs)}, goal ${drill.metGoal ? 'met' : 'missed'}`,
  );
  const list = await get<{
    trend: Array<{ region: string; kind: string; runs: number; metGoal: number; series: Array<{ firstMs: number | null }> }>;
  }>(`/v1/drills?region=${region}`);
  for (const t of list.trend)
    say(`  trend ${t.region} ${t.kind}: ${t.series.map((s) => fmt(s.firstMs)).join(' → ')} (${t.metGoal}/${t.runs} met the goal)`);
}
