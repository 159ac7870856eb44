/** Learning from history as an operator reads it (pure): time-to-smoke rows, drill progress, the drill trend against its goal. */
import type { DrillTrendView, DrillView, SmokeGroupView, TimeToSmokeView } from '#view-types';
import { formatDuration } from './countdown.js';

/** Durations of a few seconds keep a decimal ("3.5s"); longer ones read like the rest of the page ("14m 00s"); null → "—". */
export function preciseDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 60_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  return formatDuration(ms);
}

export interface SmokeRow {
  key: string;
  label: string;
  failures: number;
  mean: string;
  p50: string;
  p90: string;
  max: string;
  twiceMean: string;
  p95: string;
  /** "too few failures (2 of at least 3)" when the recommendation is the default, else null */
  tooFew: string | null;
  /** the reasons of both recommendations, for the row's title */
  reasons: string;
  group: SmokeGroupView;
}

function row(key: string, label: string, g: SmokeGroupView, minFailures: number): SmokeRow {
  const rec = g.recommendations;
  const bake = (r: typeof rec.twiceMean) => `${formatDuration(r.bakeMs)}${r.source === 'default' ? ' (default)' : ''}`;
  return {
    key,
    label,
    failures: g.failures,
    mean: preciseDuration(g.meanMs),
    p50: preciseDuration(g.p50Ms),
    p90: preciseDuration(g.p90Ms),
    max: preciseDuration(g.maxMs),
    twiceMean: bake(rec.twiceMean),
    p95: bake(rec.p95),
    tooFew: g.failures < minFailures ? `too few failures (${g.failures} of at least ${minFailures})` : null,
    reasons: `2 × mean: ${rec.twiceMean.reason}; p95: ${rec.p95.reason}`,
    group: g,
  };
}

/** Overall first, then each region in the API's order. */
export function smokeRows(t: TimeToSmokeView): SmokeRow[] {
  return [row('overall', 'all regions', t.overall, t.minFailures), ...t.regions.map((r) => row(r.region, r.region, r, t.minFailures))];
}

export const drillEnded = (d: Pick<DrillView, 'state'>): boolean =>
  d.state === 'succeeded' || d.state === 'failed' || d.state === 'aborted';

/** "3.5s — met the goal 10m" / "12m 30s — missed the goal 10m". */
export function againstGoal(ms: number | null, goalMs: number): string {
  if (ms === null) return `not measured (goal ${formatDuration(goalMs)})`;
  return `${preciseDuration(ms)} — ${ms <= goalMs ? 'met' : 'missed'} the goal ${formatDuration(goalMs)}`;
}

const WORDS = {
  drain: { first: 'drained', second: 'restored', doingFirst: 'draining', doingSecond: 'restoring' },
  rollback: { first: 'rolled back', second: 'rolled forward', doingFirst: 'rolling back', doingSecond: 'rolling forward' },
} as const;

/** Where a drill stands, in words: what it is doing now and what it measured so far. */
export function drillProgress(
  d: Pick<DrillView, 'kind' | 'state' | 'phase' | 'firstMs' | 'secondMs' | 'goalMs' | 'undone' | 'note'>,
): string {
  const w = WORDS[d.kind];
  const parts: string[] = [];
  if (d.firstMs !== null) parts.push(`${w.first} in ${againstGoal(d.firstMs, d.goalMs)}`);
  if (d.secondMs !== null) parts.push(`${w.second} in ${preciseDuration(d.secondMs)}`);
  if (!drillEnded(d)) {
    const second = ['restore', 'restoring', 'forward', 'rolling-forward'].includes(d.phase);
    parts.push(
      d.state === 'undoing' ? 'undoing' : second ? `${w.doingSecond}…` : d.phase === 'record' ? 'recording what runs…' : `${w.doingFirst}…`,
    );
  } else {
    parts.push(d.state + (d.undone ? ' (undone)' : ''));
  }
  if (d.note) parts.push(d.note);
  return parts.join(' · ');
}

export interface TrendPoint {
  x: number;
  y: number;
  ms: number;
  met: boolean;
  at: string;
}

export interface TrendGeometry {
  points: TrendPoint[];
  /** y of the goal line */
  goalY: number;
  /** the polyline through the points ("x,y x,y") */
  line: string;
  /** the top of the scale, ms */
  maxMs: number;
}

/** A small trend of measured times (oldest first) against the goal line, in a width × height box (y grows downwards). */
export function trendGeometry(trend: Pick<DrillTrendView, 'series' | 'goalMs'>, width: number, height: number, pad = 3): TrendGeometry {
  const measured = trend.series.filter((s): s is typeof s & { firstMs: number } => s.firstMs !== null);
  const maxMs = Math.max(trend.goalMs, ...measured.map((s) => s.firstMs)) * 1.1;
  const y = (ms: number) => Math.round((pad + (1 - ms / maxMs) * (height - 2 * pad)) * 10) / 10;
  const step = measured.length > 1 ? (width - 2 * pad) / (measured.length - 1) : 0;
  const points = measured.map((s, i) => ({
    x: Math.round((measured.length > 1 ? pad + i * step : width / 2) * 10) / 10,
    y: y(s.firstMs),
    ms: s.firstMs,
    met: s.firstMs <= trend.goalMs,
    at: s.at,
  }));
  return { points, goalY: y(trend.goalMs), line: points.map((p) => `${p.x},${p.y}`).join(' '), maxMs };
}

/** "3 of 4 met the goal · latest 3.5s · best 3.1s · faster". */
export function trendSummary(t: Pick<DrillTrendView, 'runs' | 'metGoal' | 'latestMs' | 'bestMs' | 'direction'>): string {
  return [
    `${t.metGoal} of ${t.runs} met the goal`,
    `latest ${preciseDuration(t.latestMs)}`,
    `best ${preciseDuration(t.bestMs)}`,
    ...(t.direction ? [t.direction] : []),
  ].join(' · ');
}
