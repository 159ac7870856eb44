import { describe, expect, it } from 'vitest';
import type { StageSnapshot } from '../../libs/domain/src/plan.js';
import { decideStage, respondToFailure, strongestPolicy, type TargetView } from '../../libs/domain/src/progress.js';
import type { TargetState } from '../../libs/domain/src/states.js';

const NOW = 1_700_000_000_000;

const stage = (over: Partial<StageSnapshot> = {}): StageSnapshot => ({
  index: 1,
  name: 'wave-1',
  kind: 'wave',
  bakeMs: 600_000,
  progressDeadlineMs: 600_000,
  maxParallel: 2,
  onFailure: 'rollback',
  approval: 'none',
  regions: [],
  ...over,
});

const t = (id: string, state: TargetState, over: Partial<TargetView> = {}): TargetView => ({
  id,
  region: id,
  stageIndex: 1,
  state,
  ...over,
});

describe('decideStage: starting targets', () => {
  it('starts pending targets up to maxParallel, in the given order', () => {
    const d = decideStage(stage({ maxParallel: 2 }), [t('a', 'pending'), t('b', 'pending'), t('c', 'pending'), t('d', 'pending')], NOW);
    expect(d.start).toEqual(['a', 'b']);
    expect(d.verify).toEqual([]);
    expect(d.failed).toEqual([]);
    expect(d.complete).toBe(false);
    expect(d.nextBakeEndMs).toBeNull();
  });

  it('maxParallel 1 starts one at a time', () => {
    expect(decideStage(stage({ maxParallel: 1 }), [t('a', 'pending'), t('b', 'pending')], NOW).start).toEqual(['a']);
  });

  it('counts deploying targets as in flight', () => {
    const d = decideStage(stage({ maxParallel: 2 }), [t('a', 'deploying'), t('b', 'pending'), t('c', 'pending')], NOW);
    expect(d.start).toEqual(['b']);
  });

  it('counts baking targets (bake not over) as in flight', () => {
    const d = decideStage(
      stage({ maxParallel: 2 }),
      [t('a', 'deploying'), t('b', 'baking', { bakeEndsAtMs: NOW + 1_000 }), t('c', 'pending')],
      NOW,
    );
    expect(d.start).toEqual([]);
  });

  it('counts a baking target without a bake end yet as in flight', () => {
    const d = decideStage(stage({ maxParallel: 1 }), [t('a', 'baking', { bakeEndsAtMs: null }), t('b', 'pending')], NOW);
    expect(d.start).toEqual([]);
    expect(d.verify).toEqual([]);
  });

  it('verified and failed targets do not hold a slot; a target whose bake ends now frees its slot', () => {
    const d = decideStage(
      stage({ maxParallel: 2 }),
      [t('a', 'verified'), t('b', 'baking', { bakeEndsAtMs: NOW }), t('c', 'deploying'), t('d', 'pending'), t('e', 'pending')],
      NOW,
    );
    expect(d.verify).toEqual(['b']);
    expect(d.start).toEqual(['d']);
  });

  it('never starts more than the free slots even with many pending', () => {
    const pending = Array.from({ length: 10 }, (_, i) => t(`p${i}`, 'pending'));
    const d = decideStage(stage({ maxParallel: 3 }), [t('x', 'deploying'), ...pending], NOW);
    expect(d.start).toEqual(['p0', 'p1']);
  });

  it('starts nothing when more targets are in flight than maxParallel allows', () => {
    const d = decideStage(stage({ maxParallel: 1 }), [t('a', 'deploying'), t('b', 'deploying'), t('c', 'pending')], NOW);
    expect(d.start).toEqual([]);
  });

  it('starts nothing once a target of the stage has failed, and reports it', () => {
    const d = decideStage(
      stage({ maxParallel: 5 }),
      [t('a', 'failed'), t('b', 'pending'), t('c', 'pending'), t('d', 'baking', { bakeEndsAtMs: NOW - 1 })],
      NOW,
    );
    expect(d.start).toEqual([]);
    expect(d.failed).toEqual(['a']);
    expect(d.verify).toEqual(['d']);
    expect(d.complete).toBe(false);
  });
});

describe('decideStage: bake and completion', () => {
  it('verifies a baking target exactly at bakeEndsAt, not a millisecond before', () => {
    const end = NOW + 60_000;
    const targets = [t('a', 'baking', { bakeEndsAtMs: end })];
    const before = decideStage(stage(), targets, end - 1);
    expect(before.verify).toEqual([]);
    expect(before.complete).toBe(false);
    expect(before.nextBakeEndMs).toBe(end);

    const at = decideStage(stage(), targets, end);
    expect(at.verify).toEqual(['a']);
    expect(at.complete).toBe(true);
    expect(at.nextBakeEndMs).toBeNull();

    const after = decideStage(stage(), targets, end + 5_000);
    expect(after.verify).toEqual(['a']);
  });

  it('complete when every target is verified', () => {
    const d = decideStage(stage(), [t('a', 'verified'), t('b', 'verified')], NOW);
    expect(d).toStrictEqual({ verify: [], start: [], failed: [], complete: true, nextBakeEndMs: null });
  });

  it('complete when the remaining targets are verified by this decision', () => {
    const d = decideStage(stage(), [t('a', 'verified'), t('b', 'baking', { bakeEndsAtMs: NOW - 10 })], NOW);
    expect(d.verify).toEqual(['b']);
    expect(d.complete).toBe(true);
  });

  it.each<TargetState>(['pending', 'deploying', 'failed', 'rolling_back', 'skipped'])('not complete while a target is %s', (state) => {
    const d = decideStage(stage(), [t('a', 'verified'), t('b', state)], NOW);
    expect(d.complete).toBe(false);
  });

  it('not complete while a target is still baking', () => {
    expect(decideStage(stage(), [t('a', 'verified'), t('b', 'baking', { bakeEndsAtMs: NOW + 1 })], NOW).complete).toBe(false);
  });

  it('a stage with no targets is not complete', () => {
    expect(decideStage(stage(), [], NOW).complete).toBe(false);
  });

  it('nextBakeEndMs is the earliest bake end still in the future', () => {
    const d = decideStage(
      stage({ maxParallel: 10 }),
      [
        t('a', 'baking', { bakeEndsAtMs: NOW + 30_000 }),
        t('b', 'baking', { bakeEndsAtMs: NOW + 10_000 }),
        t('c', 'baking', { bakeEndsAtMs: NOW - 5_000 }),
        t('d', 'baking', { bakeEndsAtMs: NOW + 20_000 }),
        t('e', 'baking', { bakeEndsAtMs: null }),
      ],
      NOW,
    );
    expect(d.nextBakeEndMs).toBe(NOW + 10_000);
    expect(d.verify).toEqual(['c']);
  });

  it('nextBakeEndMs ignores bake ends of targets that are no longer baking', () => {
    const d = decideStage(
      stage(),
      [t('a', 'verified', { bakeEndsAtMs: NOW + 1_000 }), t('b', 'failed', { bakeEndsAtMs: NOW + 2_000 })],
      NOW,
    );
    expect(d.nextBakeEndMs).toBeNull();
    expect(d.verify).toEqual([]);
  });
});

describe('decideStage: other stages', () => {
  it('ignores targets of other stages entirely', () => {
    const others: TargetView[] = [
      t('o-pending', 'pending', { stageIndex: 2 }),
      t('o-deploying', 'deploying', { stageIndex: 0 }),
      t('o-deploying2', 'deploying', { stageIndex: 0 }),
      t('o-failed', 'failed', { stageIndex: 0 }),
      t('o-baking', 'baking', { stageIndex: 2, bakeEndsAtMs: NOW - 1 }),
      t('o-baking-future', 'baking', { stageIndex: 0, bakeEndsAtMs: NOW + 1 }),
    ];
    const d = decideStage(stage({ index: 1, maxParallel: 2 }), [...others, t('a', 'pending'), t('b', 'pending')], NOW);
    expect(d).toStrictEqual({ verify: [], start: ['a', 'b'], failed: [], complete: false, nextBakeEndMs: null });
  });

  it('a stage whose own targets are all verified is complete regardless of other stages', () => {
    const d = decideStage(stage({ index: 0 }), [t('c', 'verified', { stageIndex: 0 }), t('w', 'pending', { stageIndex: 1 })], NOW);
    expect(d.complete).toBe(true);
    expect(d.start).toEqual([]);
  });

  it('a stage with targets only in other stages is not complete', () => {
    expect(decideStage(stage({ index: 3 }), [t('a', 'verified')], NOW).complete).toBe(false);
  });
});

describe('respondToFailure', () => {
  const targets: TargetView[] = [
    t('verified-100', 'verified', { deployStartedAtMs: 100 }),
    t('failed-300', 'failed', { deployStartedAtMs: 300 }),
    t('baking-200', 'baking', { deployStartedAtMs: 200 }),
    t('pending', 'pending', { deployStartedAtMs: null }),
    t('skipped', 'skipped'),
    t('deploying-400', 'deploying', { deployStartedAtMs: 400 }),
    t('failed-50', 'failed', { deployStartedAtMs: 50 }),
    t('drained-60', 'drained', { deployStartedAtMs: 60 }),
    t('draining-70', 'draining', { deployStartedAtMs: 70 }),
    t('rolled-back-500', 'rolled_back', { deployStartedAtMs: 500 }),
  ];

  it('rollback: every touched target, newest first; pending and skipped excluded', () => {
    expect(respondToFailure('rollback', targets)).toStrictEqual({
      release: 'rolling_back',
      rollBack: ['deploying-400', 'failed-300', 'baking-200', 'verified-100', 'draining-70', 'drained-60', 'failed-50'],
      drain: [],
      partial: false,
    });
  });

  it('rollback orders by deployStartedAtMs, not by input order, across stages', () => {
    const r = respondToFailure('rollback', [
      t('canary', 'verified', { stageIndex: 0, deployStartedAtMs: 1_000 }),
      t('w2', 'failed', { stageIndex: 2, deployStartedAtMs: 3_000 }),
      t('w1', 'verified', { stageIndex: 1, deployStartedAtMs: 2_000 }),
    ]);
    expect(r.rollBack).toEqual(['w2', 'w1', 'canary']);
  });

  it('rollback with nothing touched rolls nothing back', () => {
    expect(respondToFailure('rollback', [t('a', 'pending'), t('b', 'skipped')])).toStrictEqual({
      release: 'rolling_back',
      rollBack: [],
      drain: [],
      partial: false,
    });
  });

  it('rollback-region: only the failed targets, newest first, and the release ends partial', () => {
    expect(respondToFailure('rollback-region', targets)).toStrictEqual({
      release: 'rolling_back',
      rollBack: ['failed-300', 'failed-50'],
      drain: [],
      partial: true,
    });
  });

  it('pause: the release pauses and nothing is rolled back', () => {
    expect(respondToFailure('pause', targets)).toStrictEqual({ release: 'paused', rollBack: [], drain: [], partial: false });
  });

  it('drain: failed targets are drained first, every other touched target rolled back at once', () => {
    expect(respondToFailure('drain', targets)).toStrictEqual({
      release: 'rolling_back',
      rollBack: ['deploying-400', 'baking-200', 'verified-100', 'draining-70', 'drained-60'],
      drain: ['failed-300', 'failed-50'],
      partial: false,
    });
  });

  it('strongestPolicy: rollback > drain > rollback-region > pause', () => {
    expect(strongestPolicy(['pause', 'rollback-region'])).toBe('rollback-region');
    expect(strongestPolicy(['drain', 'pause'])).toBe('drain');
    expect(strongestPolicy(['drain', 'rollback', 'pause'])).toBe('rollback');
    expect(strongestPolicy(['pause'])).toBe('pause');
  });

  it("does not reorder the caller's array", () => {
    const copy = targets.map((x) => x.id);
    respondToFailure('rollback', targets);
    expect(targets.map((x) => x.id)).toEqual(copy);
  });
});
