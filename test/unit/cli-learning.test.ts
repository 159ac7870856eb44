/** The CLI's pure learning views: time-to-smoke tables and reasons, the proposal, drills against their goals and the exit code of an ended drill. */
import { describe, expect, it } from 'vitest';
import { drillDuration, drillOutcome, drillProgress, renderDrill, renderDrills, type DrillView } from '../../apps/cli/src/drill-view.js';
import { EXIT } from '../../apps/cli/src/exit-codes.js';
import { renderProposal, renderTimeToSmoke, type SmokeGroupView, type TimeToSmokeView } from '../../apps/cli/src/learning-view.js';
import { bakeReasons, type ReleaseView } from '../../apps/cli/src/release-view.js';

const MIN = 60_000;
const rec = (bakeMs: number, source: 'history' | 'default', reason: string, rule = 'twice-mean') => ({ rule, bakeMs, source, reason });
const group = (over: Partial<SmokeGroupView>): SmokeGroupView => ({
  failures: 0,
  meanMs: null,
  p50Ms: null,
  p90Ms: null,
  p95Ms: null,
  maxMs: null,
  recommendations: {
    twiceMean: rec(10 * MIN, 'default', 'no failure in history (at least 3 needed): the default bake 10m'),
    p95: rec(10 * MIN, 'default', 'no failure', 'p95'),
  },
  evidence: [],
  ...over,
});

const smoke: TimeToSmokeView = {
  service: 'checkout',
  since: '2026-06-05T00:00:00.000Z',
  minFailures: 3,
  defaultBakeMs: 10 * MIN,
  overall: group({
    failures: 6,
    meanMs: 14 * MIN,
    p50Ms: 12 * MIN,
    p90Ms: 22 * MIN,
    p95Ms: 22 * MIN,
    maxMs: 22 * MIN,
    recommendations: {
      twiceMean: rec(28 * MIN, 'history', '2 × mean 14m over 6 failures = 28m'),
      p95: rec(22 * MIN, 'history', 'p95 22m over 6 failures = 22m', 'p95'),
    },
    evidence: [
      {
        releaseId: 'r1',
        version: '1.0.0',
        region: 'us-east',
        gate: 'error-rate',
        phase: 'bake',
        rolloutCompletedAt: '2026-11-01T10:00:00.000Z',
        firstFailureAt: '2026-11-01T10:05:00.000Z',
        delayMs: 5 * MIN,
      },
    ],
  }),
  regions: [
    {
      region: 'eu-central',
      ...group({
        failures: 2,
        meanMs: 16 * MIN,
        p50Ms: 12 * MIN,
        p90Ms: 20 * MIN,
        p95Ms: 20 * MIN,
        maxMs: 20 * MIN,
        recommendations: {
          twiceMean: rec(10 * MIN, 'default', 'only 2 failures in history (at least 3 needed): the default bake 10m'),
          p95: rec(10 * MIN, 'default', 'x', 'p95'),
        },
      }),
    },
    { region: 'us-west', ...group({}) },
  ],
};

describe('time-to-smoke text', () => {
  it('a table overall then per region, the recommendation with its reason, and the regions with too few failures', () => {
    const lines = renderTimeToSmoke(smoke);
    expect(lines[0]).toBe("checkout: time from a region's rollout to its first failing gate, since 2026-06-05");
    expect(lines[2]!.split(/\s{2,}/)).toEqual(['REGION', 'FAILURES', 'MEAN', 'P50', 'P90', 'MAX', 'BAKE 2×MEAN', 'BAKE P95']);
    expect(lines[3]!.split(/\s{2,}/)).toEqual(['overall', '6', '14m', '12m', '22m', '22m', '28m', '22m']);
    expect(lines[4]!.split(/\s{2,}/)).toEqual(['eu-central', '2', '16m', '12m', '20m', '20m', '10m (default)', '10m (default)']);
    expect(lines[5]!.split(/\s{2,}/)).toEqual(['us-west', '0', '-', '-', '-', '-', '10m (default)', '10m (default)']);
    expect(lines).toContain('recommended bake: 28m — 2 × mean 14m over 6 failures = 28m');
    expect(lines).toContain('      or, by p95: 22m — p95 22m over 6 failures = 22m');
    expect(lines).toContain(
      'too few failures (at least 3 needed) in eu-central (2), us-west (0): the default bake 10m is recommended there',
    );
    expect(lines.some((l) => l.startsWith('evidence'))).toBe(false);
    expect(renderTimeToSmoke(smoke, { evidence: true }).at(-1)).toMatch(/^ {2}r1\s+1\.0\.0\s+us-east\s+error-rate\s+bake\s+.*5m$/);
  });

  it('says clearly when the whole history is too thin', () => {
    const thin = { ...smoke, overall: group({}), regions: [] };
    const lines = renderTimeToSmoke(thin);
    expect(lines).toContain('too few failures overall: 0 found, at least 3 needed; recommended bake: the default 10m');
    expect(lines).toContain('  no failure in history (at least 3 needed): the default bake 10m');
    expect(lines.some((l) => l.startsWith('recommended bake'))).toBe(false);
  });
});

describe('plan proposal text', () => {
  it('every wave in order with each placement and its reason, then the traffic', () => {
    const lines = renderProposal({
      service: 'checkout',
      path: 'config/plans/checkout.yaml',
      yaml: 'name: checkout\n',
      plan: {
        canary: { region: 'us-west', reason: "the service's canary region" },
        waves: [
          {
            name: 'first-gdpr',
            maxParallel: 1,
            reason: 'first region with gdpr',
            regions: [{ region: 'eu-central', reason: 'first region with gdpr' }],
          },
          {
            name: 'wave-1',
            maxParallel: 2,
            reason: 'the rest, quietest first',
            regions: [
              { region: 'us-east', reason: 'rest (a)' },
              { region: 'ap-south', reason: 'rest (b)' },
            ],
          },
        ],
      },
      traffic: [
        { region: 'us-west', tier: 'low', tags: [], timeZone: 'America/Los_Angeles', requestRate: 5.04 },
        { region: 'us-east', tier: 'high', tags: ['gdpr', 'x'], timeZone: 'America/New_York', requestRate: null },
      ],
    });
    expect(lines.slice(0, 10)).toEqual([
      'checkout: proposed plan (nothing written; save it with -o yaml > config/plans/checkout.yaml)',
      '',
      '1. canary: us-west',
      "     the service's canary region",
      '2. first-gdpr: eu-central',
      '     first region with gdpr',
      '3. wave-1: us-east, ap-south · max 2 at once',
      '     the rest, quietest first',
      '     us-east: rest (a)',
      '     ap-south: rest (b)',
    ]);
    expect(lines.find((l) => l.includes('us-west  low'))).toMatch(/America\/Los_Angeles\s+5$/);
    expect(lines.find((l) => l.includes('us-east  high'))).toMatch(/gdpr,x\s+America\/New_York\s+not measured \(tier used\)$/);
  });
});

const drill = (over: Partial<DrillView> = {}): DrillView => ({
  id: 'd1',
  kind: 'drain',
  region: 'eu-west',
  service: null,
  state: 'succeeded',
  phase: 'done',
  actor: 'ops',
  reason: 'weekly practice',
  goalMs: 10 * MIN,
  maxDurationMs: 30 * MIN,
  requestedAt: '2026-12-01T12:00:00.000Z',
  completedAt: '2026-12-01T12:00:08.000Z',
  deadlineAt: '2026-12-01T12:30:00.000Z',
  firstMs: 3_540,
  secondMs: 2_460,
  metGoal: true,
  undone: false,
  targetVersion: null,
  note: null,
  ...over,
});

describe('drills', () => {
  it('exit 0 only for a drill that succeeded within its goal; 1 says failed, aborted or missed', () => {
    const o = (d: DrillView) => drillOutcome(d);
    expect(o(drill({ state: 'running', phase: 'draining' }))).toEqual({ done: false });
    expect(o(drill({ state: 'undoing' }))).toEqual({ done: false });
    expect(o(drill())).toEqual({ done: true, code: EXIT.ok, summary: 'succeeded and met its goal (drain99 3.5s ≤ goal 10m)' });
    expect(o(drill({ firstMs: 11 * MIN, metGoal: false }))).toEqual({
      done: true,
      code: EXIT.failed,
      summary: 'succeeded but missed its goal (drain99 11m > goal 10m)',
    });
    expect(o(drill({ state: 'aborted', undone: true, metGoal: false, firstMs: null, note: 'past its maximum duration' }))).toEqual({
      done: true,
      code: EXIT.failed,
      summary: 'aborted and undone (drain99 -, goal 10m): past its maximum duration',
    });
    expect(o(drill({ state: 'failed', kind: 'rollback', firstMs: 1_200, metGoal: null, note: 'patch refused' }))).toEqual({
      done: true,
      code: EXIT.failed,
      summary: 'failed (rollback 1.2s, goal 10m): patch refused',
    });
  });

  it('times with a tenth of a second below a minute', () => {
    expect([drillDuration(null), drillDuration(3_540), drillDuration(59_940), drillDuration(61_000)]).toEqual([
      '-',
      '3.5s',
      '59.9s',
      '1m1s',
    ]);
  });

  it('one drill: both times against the goal, the request and the events', () => {
    const lines = renderDrill(
      drill({ events: [{ type: 'drill.started', actor: 'ops', reason: 'weekly practice', at: '2026-12-01T12:00:00.000Z' }] }),
    );
    expect(lines.slice(0, 5)).toEqual([
      'drill d1: drain of eu-west · succeeded',
      '  drain99     3.5s   goal 10m: met goal',
      '  restore     2.5s',
      '  requested 2026-12-01T12:00:00.000Z by ops: weekly practice',
      '  ended 2026-12-01T12:00:08.000Z',
    ]);
    expect(lines.at(-1)).toMatch(/^2026-12-01T12:00:00.000Z\s+drill.started\s+ops\s+weekly practice$/);
    expect(
      renderDrill(
        drill({ kind: 'rollback', service: 'web', state: 'running', phase: 'rolling-back', firstMs: null, secondMs: null, metGoal: null }),
      )[0],
    ).toBe('drill d1: rollback of eu-west (web) · running (rolling-back)');
    expect(renderDrill(drill({ metGoal: false }))[1]).toContain('MISSED goal');
  });

  it('the list and the trend per region and kind', () => {
    const lines = renderDrills({
      items: [drill({ id: 'd2', firstMs: 4_000 }), drill()],
      trend: [
        {
          region: 'eu-west',
          kind: 'drain',
          runs: 2,
          metGoal: 2,
          goalMs: 10 * MIN,
          latestMs: 4_000,
          bestMs: 3_540,
          direction: 'slower',
          series: [
            { id: 'd1', at: '2026-12-01T12:00:00.000Z', firstMs: 3_540, secondMs: 2_460, metGoal: true, state: 'succeeded' },
            { id: 'd2', at: '2026-12-01T13:00:00.000Z', firstMs: 4_000, secondMs: 2_000, metGoal: true, state: 'succeeded' },
          ],
        },
      ],
    });
    expect(lines[1]).toMatch(/^d2\s+drain\s+eu-west\s+-\s+succeeded\s+drain99 4\.0s\s+restore 2\.5s\s+10m\s+yes/);
    expect(lines).toContain('trend (per region and kind, oldest → newest):');
    expect(
      lines
        .at(-1)!
        .trim()
        .split(/\s{2,}/),
    ).toEqual(['eu-west', 'drain', '2', '2/2', '10m', '3.5s', '4.0s', '↑ slower', '3.5s → 4.0s']);
    expect(renderDrills({ items: [], trend: [] })).toContain('  no drills yet');
  });

  it('a progress line per change of state or phase, with drain99 once measured', () => {
    const running = drill({ state: 'running', phase: 'draining', firstMs: null, secondMs: null, metGoal: null });
    expect(drillProgress(null, running)).toBe('drill drain eu-west: running · phase draining');
    expect(drillProgress(running, running)).toBeNull();
    const restoring = { ...running, phase: 'restoring', firstMs: 3_540 };
    expect(drillProgress(running, restoring)).toBe('drill drain eu-west: running · phase restoring · drain99 3.5s (goal 10m)');
  });
});

describe('release get: the auto-resolved bake', () => {
  it('a line per stage whose bake was resolved from history, with the frozen reason', () => {
    const stage = (name: string, bakeMs: number, bakeReason?: string) => ({
      index: 0,
      name,
      kind: 'wave',
      bakeMs,
      maxParallel: 1,
      approval: 'none',
      onFailure: 'rollback',
      regions: [],
      ...(bakeReason ? { bakeReason } : {}),
    });
    const r = {
      id: 'r',
      service: 's',
      version: '1',
      image: 'i',
      releaseNumber: 1,
      state: 'running',
      stateReason: null,
      currentStage: null,
      stages: [stage('canary', 1000), stage('rest', 28 * MIN, 'auto: 2 × mean 14m over 6 failures = 28m, within [10m, 4h]')],
    } as ReleaseView;
    expect(bakeReasons(r)).toEqual(['bake of rest: 28m (auto: 2 × mean 14m over 6 failures = 28m, within [10m, 4h])']);
    expect(bakeReasons({ ...r, stages: undefined })).toEqual([]);
  });
});
