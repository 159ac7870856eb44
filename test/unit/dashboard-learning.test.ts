/** The dashboard's learning views without a browser: time-to-smoke rows, drill progress in words, the drill trend against its goal. */
import { describe, expect, it } from 'vitest';
import type { DrillTrendView, DrillView, SmokeGroupView, TimeToSmokeView } from '../../apps/api/src/view-types.js';
import {
  againstGoal,
  drillEnded,
  drillProgress,
  preciseDuration,
  smokeRows,
  trendGeometry,
  trendSummary,
} from '../../apps/dashboard/src/logic/learning.js';
import { MIN_SMOKE_FAILURES, recommendBake, smokeStats } from '#domain';

const MIN = 60_000;

function group(delaysMin: number[]): SmokeGroupView {
  const stats = smokeStats(delaysMin.map((m) => m * MIN));
  return {
    failures: stats?.failures ?? 0,
    meanMs: stats?.meanMs ?? null,
    p50Ms: stats?.p50Ms ?? null,
    p90Ms: stats?.p90Ms ?? null,
    p95Ms: stats?.p95Ms ?? null,
    maxMs: stats?.maxMs ?? null,
    recommendations: {
      twiceMean: recommendBake(stats, 'twice-mean', { defaultMs: 10 * MIN }),
      p95: recommendBake(stats, 'p95', { defaultMs: 10 * MIN }),
    },
    evidence: [],
  };
}

const smoke: TimeToSmokeView = {
  service: 'checkout',
  since: '2026-06-05T00:00:00.000Z',
  minFailures: MIN_SMOKE_FAILURES,
  defaultBakeMs: 10 * MIN,
  overall: group([12, 5, 22, 10, 20, 15]),
  regions: [
    { region: 'us-east', ...group([5, 15]) },
    { region: 'ap-south', ...group([]) },
  ],
};

describe('time-to-smoke rows', () => {
  it('overall first with its figures and both recommendations from history', () => {
    const [overall, east, ap] = smokeRows(smoke);
    expect(overall).toMatchObject({
      key: 'overall',
      label: 'all regions',
      failures: 6,
      mean: '14m 00s',
      p50: '12m 00s',
      p90: '22m 00s',
      max: '22m 00s',
      twiceMean: '28m 00s',
      p95: '22m 00s',
      tooFew: null,
    });
    expect(overall!.reasons).toBe('2 × mean: 2 × mean 14m over 6 failures = 28m; p95: ' + smoke.overall.recommendations.p95.reason);
    expect(east).toMatchObject({
      key: 'us-east',
      failures: 2,
      mean: '10m 00s',
      twiceMean: '10m 00s (default)',
      p95: '10m 00s (default)',
      tooFew: 'too few failures (2 of at least 3)',
    });
    expect(ap).toMatchObject({ failures: 0, mean: '—', p90: '—', max: '—', tooFew: 'too few failures (0 of at least 3)' });
    expect(ap!.reasons).toContain('no failure in history (at least 3 needed): the default bake 10m');
  });

  it('durations: a decimal under a minute, the page style above, a dash for none', () => {
    expect(preciseDuration(3_456)).toBe('3.5s');
    expect(preciseDuration(0)).toBe('0.0s');
    expect(preciseDuration(59_999)).toBe('60.0s');
    expect(preciseDuration(14 * MIN + 5_000)).toBe('14m 05s');
    expect(preciseDuration(null)).toBe('—');
  });
});

function drill(over: Partial<DrillView>): DrillView {
  return {
    id: 'd1',
    kind: 'drain',
    region: 'eu-west',
    service: null,
    state: 'running',
    phase: 'draining',
    actor: 'ops',
    reason: 'practice',
    goalMs: 10 * MIN,
    maxDurationMs: 30 * MIN,
    requestedAt: '2026-12-01T12:00:00.000Z',
    completedAt: null,
    deadlineAt: '2026-12-01T12:30:00.000Z',
    firstMs: null,
    secondMs: null,
    metGoal: null,
    undone: false,
    targetVersion: null,
    drainOperationId: null,
    restoreOperationId: null,
    note: null,
    ...over,
  };
}

describe('drill progress', () => {
  it('says what the drill does now and what it measured, against the goal', () => {
    expect(drillProgress(drill({ phase: 'drain' }))).toBe('draining…');
    expect(drillProgress(drill({ phase: 'restoring', firstMs: 3_500 }))).toBe('drained in 3.5s — met the goal 10m 00s · restoring…');
    expect(drillProgress(drill({ state: 'succeeded', phase: 'done', firstMs: 3_500, secondMs: 2_400, metGoal: true }))).toBe(
      'drained in 3.5s — met the goal 10m 00s · restored in 2.4s · succeeded',
    );
    expect(drillProgress(drill({ kind: 'rollback', phase: 'record' }))).toBe('recording what runs…');
    expect(drillProgress(drill({ kind: 'rollback', phase: 'rolling-forward', firstMs: 12 * MIN, goalMs: 10 * MIN }))).toBe(
      'rolled back in 12m 00s — missed the goal 10m 00s · rolling forward…',
    );
    expect(drillProgress(drill({ state: 'undoing', phase: 'restoring', note: 'past its maximum duration' }))).toBe(
      'undoing · past its maximum duration',
    );
    expect(drillProgress(drill({ state: 'aborted', phase: 'done', undone: true }))).toBe('aborted (undone)');
  });

  it('ended states, and a time against its goal', () => {
    expect((['running', 'undoing', 'succeeded', 'failed', 'aborted'] as const).filter((state) => drillEnded({ state }))).toEqual([
      'succeeded',
      'failed',
      'aborted',
    ]);
    expect(againstGoal(10 * MIN, 10 * MIN)).toBe('10m 00s — met the goal 10m 00s');
    expect(againstGoal(null, 10 * MIN)).toBe('not measured (goal 10m 00s)');
  });
});

describe('drill trend', () => {
  const trend: Pick<DrillTrendView, 'series' | 'goalMs'> = {
    goalMs: 10_000,
    series: [
      { id: 'a', at: '2026-11-01T00:00:00.000Z', firstMs: 12_000, secondMs: 3_000, metGoal: false, state: 'succeeded' },
      { id: 'b', at: '2026-11-08T00:00:00.000Z', firstMs: null, secondMs: null, metGoal: false, state: 'failed' },
      { id: 'c', at: '2026-11-15T00:00:00.000Z', firstMs: 8_000, secondMs: 3_000, metGoal: true, state: 'succeeded' },
      { id: 'd', at: '2026-11-22T00:00:00.000Z', firstMs: 4_000, secondMs: 3_000, metGoal: true, state: 'succeeded' },
    ],
  };

  it('measured runs only, oldest left, the goal line between, met and missed marked', () => {
    const g = trendGeometry(trend, 100, 50, 0);
    expect(g.maxMs).toBeCloseTo(13_200);
    expect(g.points.map((p) => [p.x, p.ms, p.met])).toEqual([
      [0, 12_000, false],
      [50, 8_000, true],
      [100, 4_000, true],
    ]);
    // a longer time is higher up (smaller y); the goal line sits between 12s and 8s
    const [slow, mid, fast] = g.points.map((p) => p.y);
    expect(slow!).toBeLessThan(g.goalY);
    expect(mid!).toBeGreaterThan(g.goalY);
    expect(fast!).toBeGreaterThan(mid!);
    expect(g.goalY).toBeCloseTo(50 * (1 - 10_000 / 13_200), 1);
    expect(g.line).toBe(g.points.map((p) => `${p.x},${p.y}`).join(' '));
  });

  it('one run sits in the middle; none draws only the goal; every point inside the box', () => {
    const one = trendGeometry({ goalMs: 10_000, series: [trend.series[0]!] }, 120, 30);
    expect(one.points).toHaveLength(1);
    expect(one.points[0]!.x).toBe(60);
    const none = trendGeometry({ goalMs: 10_000, series: [] }, 120, 30);
    expect(none.points).toEqual([]);
    expect(none.goalY).toBeGreaterThan(0);
    for (const p of trendGeometry(trend, 140, 34).points) {
      expect(p.x).toBeGreaterThanOrEqual(3);
      expect(p.x).toBeLessThanOrEqual(137);
      expect(p.y).toBeGreaterThanOrEqual(3);
      expect(p.y).toBeLessThanOrEqual(31);
    }
  });

  it('summary: met count, latest, best, direction', () => {
    expect(trendSummary({ runs: 4, metGoal: 2, latestMs: 4_000, bestMs: 4_000, direction: 'faster' })).toBe(
      '2 of 4 met the goal · latest 4.0s · best 4.0s · faster',
    );
    expect(trendSummary({ runs: 1, metGoal: 0, latestMs: null, bestMs: null, direction: null })).toBe(
      '0 of 1 met the goal · latest — · best —',
    );
  });
});
