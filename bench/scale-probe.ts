/** Measurements for the scale benchmark: worker /metrics counters, tick lateness, gate lateness, pool sessions, RSS trend. */
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { rssKiB } from './support.js';

export interface WorkerCounters {
  /** tideline_prometheus_queries_total, all labels */
  promQueries: number;
  /** tideline_gate_evaluations_total, all labels */
  evaluations: number;
  /** cumulative tideline_job_wait_seconds buckets of release.tick: le → count */
  tickWait: Map<number, number>;
  /** nodejs_heap_size_used_bytes of each worker, MiB (live V8 heap: what RSS alone cannot tell) */
  heapUsedMiB: number[];
}

function sumOf(text: string, metric: string, filter: (labels: string) => boolean = () => true): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const labels = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    if (!filter(labels)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}

export async function workerCounters(metricsUrls: readonly string[]): Promise<WorkerCounters> {
  const out: WorkerCounters = { promQueries: 0, evaluations: 0, tickWait: new Map(), heapUsedMiB: [] };
  for (const url of metricsUrls) {
    const text = await fetch(url, { signal: AbortSignal.timeout(60_000) }).then((r) => r.text()); // a saturated worker answers late, not never
    out.promQueries += sumOf(text, 'tideline_prometheus_queries_total');
    out.evaluations += sumOf(text, 'tideline_gate_evaluations_total');
    out.heapUsedMiB.push(sumOf(text, 'nodejs_heap_size_used_bytes') / 2 ** 20);
    for (const line of text.split('\n')) {
      if (!line.startsWith('tideline_job_wait_seconds_bucket{') || !line.includes('job="release.tick"')) continue;
      const le = /le="([^"]+)"/.exec(line)?.[1];
      if (!le) continue;
      const key = le === '+Inf' ? Infinity : Number(le);
      out.tickWait.set(key, (out.tickWait.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
  }
  return out;
}

/** p-quantile of the ticks observed between two snapshots, as the upper bound of its histogram bucket (seconds). */
export function tickWaitQuantile(before: WorkerCounters, after: WorkerCounters, p: number): { ticks: number; upToS: number } {
  const les = [...after.tickWait.keys()].sort((a, b) => a - b);
  const count = (le: number) => (after.tickWait.get(le) ?? 0) - (before.tickWait.get(le) ?? 0);
  const total = count(Infinity);
  for (const le of les) if (count(le) >= p * total) return { ticks: total, upToS: le };
  return { ticks: total, upToS: Infinity };
}

export interface GateTiming {
  evaluations: number;
  /** evaluation query start − when it was due (`due_at`, on the gate's grid), ms: p50, p99, max; early ones count as 0 */
  lateP50Ms: number;
  lateP99Ms: number;
  lateMaxMs: number;
  /** evaluations per (release, gate) round: how many region-gates one round served */
  perRound: number;
}

export async function gateTiming(pool: pg.Pool, fromIso: string, toIso: string): Promise<GateTiming> {
  const { rows } = await pool.query<{ n: string; p50: number | null; p99: number | null; mx: number | null; rounds: string }>(
    `WITH e AS (
       SELECT release_id, gate, evaluated_at, GREATEST(0, EXTRACT(EPOCH FROM (evaluated_at - due_at)) * 1000 - duration_ms) AS late
         FROM gate_evaluations WHERE evaluated_at > $1 AND evaluated_at <= $2)
     SELECT count(*) AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY late) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY late) AS p99,
            max(late) AS mx,
            count(DISTINCT (release_id, gate, date_trunc('second', evaluated_at))) AS rounds
       FROM e WHERE late IS NOT NULL`,
    [fromIso, toIso],
  );
  const r = rows[0]!;
  const n = Number(r.n);
  return {
    evaluations: n,
    lateP50Ms: Math.round(r.p50 ?? 0),
    lateP99Ms: Math.round(r.p99 ?? 0),
    lateMaxMs: Math.round(r.mx ?? 0),
    perRound: Number(r.rounds) > 0 ? n / Number(r.rounds) : 0,
  };
}

/** Connections Postgres opened for this database so far (pg_stat_database.sessions, PG 14+); null before 14. */
export async function pgSessions(pool: pg.Pool, db: string): Promise<number | null> {
  try {
    const { rows } = await pool.query<{ s: string }>('SELECT sessions AS s FROM pg_stat_database WHERE datname = $1', [db]);
    return rows[0] ? Number(rows[0].s) : null;
  } catch {
    return null;
  }
}

/** RSS of the named processes every `everyMs`: (seconds since start, MiB) per name. */
export function rssTrend(procs: Array<{ name: string; pid: number }>, everyMs: number) {
  const t0 = Date.now();
  const series: Record<string, Array<[number, number]>> = {};
  const tick = () => {
    for (const p of procs) {
      const kib = rssKiB(p.pid);
      if (kib !== null) (series[p.name] ??= []).push([(Date.now() - t0) / 1000, kib / 1024]);
    }
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return series;
    },
  };
}

/** Least-squares slope of (s, MiB) in MiB per hour. */
export function slopePerHour(points: ReadonlyArray<[number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 3600;
}

/** The pid of the process whose command line matches (e.g. this run's Prometheus, by its port); -1 when none. */
export function findPid(match: (cmdline: string) => boolean): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (match(readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' '))) return Number(d);
    } catch {
      /* gone */
    }
  }
  return -1;
}

/** CPU seconds (user + system) so far of each Postgres backend serving `db`, by pid. */
export async function backendCpu(pool: pg.Pool, db: string): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db]);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      /* ended */
    }
  }
  return out;
}

/** CPU the bench database's backends spent between two readings (a backend that started in between counts whole). */
export function backendCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, s] of after) total += Math.max(0, s - (before.get(pid) ?? 0));
  return total;
}
