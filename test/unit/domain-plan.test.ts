import { describe, expect, it } from 'vitest';
import {
  expandPlan,
  PlanError,
  workloadsIn,
  type PlanInput,
  type ServiceInput,
  type StageSettings,
  type Workload,
} from '../../libs/domain/src/plan.js';

const settings = (over: Partial<StageSettings> = {}): StageSettings => ({
  bakeMs: 600_000,
  progressDeadlineMs: 600_000,
  maxParallel: 1,
  onFailure: 'rollback',
  approval: 'none',
  ...over,
});

const DEFAULT_WL: Workload = { namespace: 'shop', deployment: 'checkout', container: 'app' };
const USW_WL: Workload = { namespace: 'shop-usw', deployment: 'checkout-usw', container: 'app' };
const USW_SIDECAR: Workload = { namespace: 'shop-usw', deployment: 'checkout-worker', container: 'worker' };

const service = (over: Partial<ServiceInput> = {}): ServiceInput => ({
  name: 'checkout',
  workloads: [DEFAULT_WL],
  regionWorkloads: { 'us-west': [USW_WL, USW_SIDECAR], 'ap-south': [] },
  ...over,
});

const REGIONS = new Set(['eu-west', 'us-east', 'us-west', 'ap-south', 'eu-north']);

const plan = (over: Partial<PlanInput> = {}): PlanInput => ({
  name: 'standard',
  canary: { ...settings({ bakeMs: 1_000, progressDeadlineMs: 30_000 }), region: 'eu-west' },
  waves: [
    {
      ...settings({ maxParallel: 2, onFailure: 'rollback-region', approval: 'required' }),
      name: 'wave-1',
      regions: ['us-east', 'us-west'],
    },
    { ...settings({ bakeMs: 0, onFailure: 'pause' }), name: 'wave-2', regions: ['ap-south'] },
  ],
  ...over,
});

function planError(fn: () => unknown): PlanError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    expect((err as PlanError).name).toBe('PlanError');
    return err as PlanError;
  }
  throw new Error('expected a PlanError');
}

describe('expandPlan', () => {
  it('turns canary + waves into indexed stages with their settings copied', () => {
    const snap = expandPlan(plan(), service(), REGIONS);
    expect(snap).toStrictEqual({
      planName: 'standard',
      service: 'checkout',
      stages: [
        {
          index: 0,
          name: 'canary',
          kind: 'canary',
          bakeMs: 1_000,
          progressDeadlineMs: 30_000,
          maxParallel: 1,
          onFailure: 'rollback',
          approval: 'none',
          gates: [],
          regions: [{ region: 'eu-west', workloads: [DEFAULT_WL] }],
        },
        {
          index: 1,
          name: 'wave-1',
          kind: 'wave',
          bakeMs: 600_000,
          progressDeadlineMs: 600_000,
          maxParallel: 2,
          onFailure: 'rollback-region',
          approval: 'required',
          gates: [],
          regions: [
            { region: 'us-east', workloads: [DEFAULT_WL] },
            { region: 'us-west', workloads: [USW_WL, USW_SIDECAR] },
          ],
        },
        {
          index: 2,
          name: 'wave-2',
          kind: 'wave',
          bakeMs: 0,
          progressDeadlineMs: 600_000,
          maxParallel: 1,
          onFailure: 'pause',
          approval: 'none',
          gates: [],
          // an empty override falls back to the service's default workloads
          regions: [{ region: 'ap-south', workloads: [DEFAULT_WL] }],
        },
      ],
    });
  });

  it('does not leak plan-only fields (canary.region, wave.regions as strings) into stages', () => {
    const snap = expandPlan(plan(), service(), REGIONS);
    expect(Object.keys(snap.stages[0]!).sort()).toEqual(
      ['approval', 'bakeMs', 'gates', 'index', 'kind', 'maxParallel', 'name', 'onFailure', 'progressDeadlineMs', 'regions'].sort(),
    );
    expect(snap.stages[0]).not.toHaveProperty('region');
  });

  it('a plan with no waves is just the canary stage', () => {
    const snap = expandPlan(plan({ waves: [] }), service(), REGIONS);
    expect(snap.stages).toHaveLength(1);
    expect(snap.stages[0]!.kind).toBe('canary');
    expect(snap.stages[0]!.index).toBe(0);
  });

  it('the snapshot is frozen from its inputs: later edits to plan or service do not change it', () => {
    const p = plan();
    const s = service({ workloads: [{ ...DEFAULT_WL }] });
    const snap = expandPlan(p, s, REGIONS);
    (s.workloads[0] as Workload).deployment = 'changed';
    (p.waves[0] as { maxParallel: number }).maxParallel = 99;
    expect(snap.stages[0]!.regions[0]!.workloads[0]!.deployment).toBe('checkout');
    expect(snap.stages[1]!.maxParallel).toBe(2);
  });

  it('refuses an unknown canary region, naming it', () => {
    const err = planError(() => expandPlan(plan({ canary: { ...settings(), region: 'mars-1' } }), service(), REGIONS));
    expect(err.message).toContain('"mars-1"');
    expect(err.message).toContain('unknown region');
    expect(err.message).toContain('standard');
  });

  it('refuses an unknown wave region, naming it', () => {
    const p = plan();
    const err = planError(() => expandPlan({ ...p, waves: [{ ...p.waves[0]!, regions: ['us-east', 'atlantis'] }] }, service(), REGIONS));
    expect(err.message).toContain('"atlantis"');
    expect(err.message).toContain('unknown region');
  });

  it('refuses a region that appears in both canary and a wave, naming it', () => {
    const p = plan();
    const err = planError(() => expandPlan({ ...p, waves: [{ ...p.waves[0]!, regions: ['eu-west'] }] }, service(), REGIONS));
    expect(err.message).toContain('"eu-west"');
    expect(err.message).toContain('twice');
  });

  it('refuses a region repeated within one wave or across two waves', () => {
    const p = plan();
    const inOne = planError(() => expandPlan({ ...p, waves: [{ ...p.waves[0]!, regions: ['us-east', 'us-east'] }] }, service(), REGIONS));
    expect(inOne.message).toContain('"us-east"');
    expect(inOne.message).toContain('twice');
    const across = planError(() =>
      expandPlan({ ...p, waves: [p.waves[0]!, { ...p.waves[1]!, regions: ['us-west'] }] }, service(), REGIONS),
    );
    expect(across.message).toContain('"us-west"');
  });

  it('refuses a wave with no region, naming the wave', () => {
    const p = plan();
    const err = planError(() => expandPlan({ ...p, waves: [p.waves[0]!, { ...p.waves[1]!, regions: [] }] }, service(), REGIONS));
    expect(err.message).toContain('wave-2');
    expect(err.message).toContain('no region');
  });

  it('refuses a region where the service has no workload at all', () => {
    const err = planError(() => expandPlan(plan(), service({ workloads: [], regionWorkloads: {} }), REGIONS));
    expect(err.message).toContain('checkout');
    expect(err.message).toContain('"eu-west"');
  });
});

describe('workloadsIn', () => {
  it('uses the region override when there is a non-empty one', () => {
    expect(workloadsIn(service(), 'us-west')).toStrictEqual([USW_WL, USW_SIDECAR]);
  });

  it('falls back to the default workloads for a region without override or with an empty override', () => {
    expect(workloadsIn(service(), 'us-east')).toStrictEqual([DEFAULT_WL]);
    expect(workloadsIn(service(), 'ap-south')).toStrictEqual([DEFAULT_WL]);
  });

  it('returns copies, so mutating the result leaves the service alone', () => {
    const s = service();
    const got = workloadsIn(s, 'us-west');
    got[0]!.deployment = 'mutated';
    got.push(DEFAULT_WL);
    expect(s.regionWorkloads['us-west']).toStrictEqual([USW_WL, USW_SIDECAR]);
    expect(USW_WL.deployment).toBe('checkout-usw');
  });
});
