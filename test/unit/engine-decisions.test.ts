/** The engine's pure decisions: failure policy across stages, verification by gates, previous version. */
import { describe, expect, it } from 'vitest';
import { failureChange, pauseChange } from '../../libs/application/src/engine/failure-response.js';
import { verifyChange } from '../../libs/application/src/engine/verification.js';
import { previousVersion, type GateSpec, type GateStatus, type StageSnapshot } from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';

const gate: GateSpec = {
  name: 'error-rate',
  query: 'q',
  condition: { kind: 'threshold', op: '<', value: 0.01 },
  intervalMs: 1_000,
  windowMs: 5_000,
  failureLimit: 1,
  errorLimit: 2,
  inconclusive: 'pause',
  series: 'all',
  queryTimeoutMs: 1_000,
};

const stage = (index: number, onFailure: StageSnapshot['onFailure'], regions: string[]): StageSnapshot => ({
  index,
  name: index === 0 ? 'canary' : `wave-${index}`,
  kind: index === 0 ? 'canary' : 'wave',
  bakeMs: 5_000,
  progressDeadlineMs: 10_000,
  maxParallel: 3,
  onFailure,
  approval: 'none',
  gates: [gate],
  regions: regions.map((region) => ({ region, workloads: [{ namespace: 'shop', deployment: 'cart', container: 'cart' }] })),
});

const release = (policies: Array<StageSnapshot['onFailure']>, state: ReleaseRecord['state'] = 'running'): ReleaseRecord =>
  ({
    id: 'r1',
    service: 'cart',
    version: '2.0.0',
    state,
    stateReason: null,
    stageIndex: policies.length - 1,
    plan: { planName: 'p', service: 'cart', stages: policies.map((p, i) => stage(i, p, [`region-${i}`])) },
  }) as unknown as ReleaseRecord;

const target = (id: string, stageIndex: number, state: TargetRecord['state'], extra: Partial<TargetRecord> = {}): TargetRecord =>
  ({
    id,
    releaseId: 'r1',
    region: id,
    stageIndex,
    state,
    reason: state === 'failed' ? 'gate error-rate failed' : null,
    deployStartedAt: new Date(stageIndex * 1000),
    gateStatus: null,
    previous: null,
    ...extra,
  }) as TargetRecord;

const status = (over: Partial<GateStatus>): GateStatus => ({
  evaluations: 3,
  consecutiveFailures: 0,
  consecutiveErrors: 0,
  lastVerdict: 'pass',
  lastReason: 'ok',
  lastEvaluatedAtMs: 1,
  nextDueAtMs: 2,
  failed: false,
  ...over,
});

describe('failureChange', () => {
  it('a failed verified canary during wave 1 rolls back every touched region (its stage policy applies)', () => {
    const change = failureChange(
      release(['rollback', 'pause']),
      [target('canary', 0, 'failed'), target('w1', 1, 'baking'), target('w1b', 1, 'pending')],
      5,
    )!;
    expect(change.release).toMatchObject({ state: 'rolling_back' });
    expect(change.targets.map((t) => [t.id, t.patch.state])).toEqual([
      ['w1', 'rolling_back'],
      ['canary', 'rolling_back'],
    ]);
  });

  it("the most thorough policy of the failed regions' stages wins", () => {
    const change = failureChange(release(['drain', 'pause']), [target('canary', 0, 'failed'), target('w1', 1, 'failed')], 5)!;
    expect(change.events[0]!.data).toMatchObject({ policy: 'drain' });
    expect(change.targets.map((t) => [t.id, t.patch.state])).toEqual([
      ['w1', 'draining'],
      ['canary', 'draining'],
    ]);
  });

  it('pause while already paused changes nothing; nothing failed is no change', () => {
    expect(failureChange(release(['pause'], 'paused'), [target('canary', 0, 'failed')], 5)).toBeNull();
    expect(failureChange(release(['rollback']), [target('canary', 0, 'verified')], 5)).toBeNull();
  });

  it('a paused release still rolls back when a watched region fails under policy rollback', () => {
    const change = failureChange(release(['rollback'], 'paused'), [target('canary', 0, 'failed')], 5)!;
    expect(change.release).toMatchObject({ state: 'rolling_back' });
    expect(change.events[0]).toMatchObject({ fromState: 'paused', toState: 'rolling_back' });
  });
});

describe('pauseChange', () => {
  it('pauses running or awaiting_approval releases and notes when', () => {
    expect(pauseChange(release(['rollback']), 'why', 42)!.release).toEqual({ state: 'paused', stateReason: 'why', pausedAt: new Date(42) });
    expect(pauseChange(release(['rollback'], 'rolling_back'), 'why', 42)).toBeNull();
    expect(pauseChange(release(['rollback'], 'paused'), 'why', 42)).toBeNull();
  });
});

describe('verifyChange', () => {
  const r = release(['rollback']);
  it('verifies a region whose gates last passed', () => {
    const t = target('canary', 0, 'baking', { gateStatus: { 'error-rate': status({}) } });
    const v = verifyChange(r, [t], ['canary'], 10);
    expect(v.change.targets).toEqual([{ id: 'canary', patch: { state: 'verified', verifiedAt: new Date(10) } }]);
    expect(v.waiting).toEqual([]);
  });

  it('waits while the last verdict is a failure or an error below its limit, or no evaluation ran', () => {
    for (const s of [
      status({ lastVerdict: 'fail', consecutiveFailures: 0 }),
      status({ lastVerdict: 'error', consecutiveErrors: 1 }),
      null,
    ]) {
      const t = target('canary', 0, 'baking', { gateStatus: s ? { 'error-rate': s } : null, rolloutCompletedAt: new Date(0) });
      const v = verifyChange(r, [t], ['canary'], 10);
      expect(v.change.targets).toEqual([]);
      expect(v.waiting).toEqual(['canary']);
      expect(v.pause).toBeNull();
    }
  });

  it('pauses when a gate ended inconclusive under policy pause', () => {
    const t = target('canary', 0, 'baking', {
      gateStatus: { 'error-rate': status({ lastVerdict: 'inconclusive', lastReason: 'empty result' }) },
    });
    const v = verifyChange(r, [t], ['canary'], 10);
    expect(v.pause).toMatch(/region canary: gate error-rate inconclusive at the end of the bake: empty result/);
  });
});

describe('previousVersion', () => {
  const recorded = (labels: Record<string, string>, image: string) =>
    ({
      previous: [
        {
          image,
          podTemplate: { metadata: { labels } },
          deploymentLabels: {},
          workload: { namespace: 'shop', deployment: 'cart', container: 'cart' },
        },
      ],
    }) as Partial<TargetRecord>;
  it('reads the version label the region ran, else the image tag, else a short digest', () => {
    expect(
      previousVersion([
        target('a', 0, 'pending'),
        target('b', 0, 'verified', recorded({ 'app.kubernetes.io/version': '1.4.0' }, 'x/cart:9')),
      ]),
    ).toBe('1.4.0');
    expect(previousVersion([target('b', 0, 'verified', recorded({}, 'registry:5000/x/cart:1.3.2'))])).toBe('1.3.2');
    expect(previousVersion([target('b', 0, 'verified', recorded({}, 'x/cart@sha256:0123456789abcdef0123'))])).toBe('sha256-0123456789ab');
    expect(previousVersion([target('a', 0, 'pending')])).toBe('');
  });
});
