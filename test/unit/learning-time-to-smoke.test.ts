/** Time-to-smoke statistics, the bake they recommend, `bake: auto` in plans (config, resolution, clamping, freezing). */
import { afterAll, describe, expect, it } from 'vitest';
import { expandPlan, humanDuration, percentile, recommendBake, resolveAutoBake, smokeStats } from '#domain';
import { load, problems, REGIONS, removeFixtures, SERVICE } from '../fixtures/config/harness.js';

afterAll(removeFixtures);
const min = (n: number) => n * 60_000;

describe('time-to-smoke statistics', () => {
  // six failures at known delays: 5, 10, 12, 15, 20, 22 minutes → mean 14m
  const delays = [min(12), min(5), min(22), min(10), min(20), min(15)];

  it('mean, nearest-rank p50/p90/p95 and max', () => {
    expect(smokeStats(delays)).toEqual({ failures: 6, meanMs: min(14), p50Ms: min(12), p90Ms: min(22), p95Ms: min(22), maxMs: min(22) });
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(smokeStats([])).toBeNull();
  });

  it("recommends 2 × mean (the seed's rule) and the p95, with the reason", () => {
    const stats = smokeStats(delays);
    expect(recommendBake(stats, 'twice-mean', { defaultMs: min(10) })).toEqual({
      rule: 'twice-mean',
      bakeMs: min(28),
      source: 'history',
      reason: '2 × mean 14m over 6 failures = 28m',
    });
    expect(recommendBake(stats, 'p95', { defaultMs: min(10) })).toMatchObject({ bakeMs: min(22), reason: 'p95 22m over 6 failures = 22m' });
  });

  it('with too few failures falls back to the default bake and says why', () => {
    expect(recommendBake(null, 'twice-mean', { defaultMs: min(10) })).toEqual({
      rule: 'twice-mean',
      bakeMs: min(10),
      source: 'default',
      reason: 'no failure in history (at least 3 needed): the default bake 10m',
    });
    expect(recommendBake(smokeStats([min(40), min(50)]), 'p95', { defaultMs: min(10) }).reason).toBe(
      'only 2 failures in history (at least 3 needed): the default bake 10m',
    );
  });

  it('formats durations for people', () => {
    expect([humanDuration(90_000), humanDuration(min(14)), humanDuration(5_400_000), humanDuration(0), humanDuration(250)]).toEqual([
      '1m30s',
      '14m',
      '1h30m',
      '0s',
      '250ms',
    ]);
  });
});

const AUTO_PLAN = `defaults:
  bake: auto
  autoBake: { min: 10m, max: 4h, rule: twice-mean }
canary: { region: us-east, bake: 5m }
waves:
  - name: eu
    regions: [eu-west]
`;

describe('bake: auto', () => {
  const config = (plan: string) => load({ 'regions.yaml': REGIONS, 'services/checkout.yaml': SERVICE, 'plans/checkout.yaml': plan });

  it('is read from the plan with its bounds; a stage with its own duration keeps it', () => {
    const plan = config(AUTO_PLAN).plans.get('checkout')!;
    expect(plan.canary.bakeMs).toBe(min(5));
    expect(plan.canary.autoBake).toBeUndefined();
    expect(plan.waves[0]!.autoBake).toEqual({ minMs: min(10), maxMs: 14_400_000, rule: 'twice-mean', fallbackMs: min(10) });
  });

  it('defaults to 10m–4h, twice-mean when no bounds are given; a stage may choose p95', () => {
    const plan = config(
      'canary: { region: us-east, bake: auto }\nwaves:\n  - regions: [eu-west]\n    bake: auto\n    autoBake: { rule: p95, max: 1h }\n',
    ).plans.get('checkout')!;
    expect(plan.canary.autoBake).toEqual({ minMs: min(10), maxMs: 14_400_000, rule: 'twice-mean', fallbackMs: min(10) });
    expect(plan.waves[0]!.autoBake).toEqual({ minMs: min(10), maxMs: min(60), rule: 'p95', fallbackMs: min(10) });
  });

  it('refuses bad values naming file and path', () => {
    const files = (plan: string) => ({ 'regions.yaml': REGIONS, 'services/checkout.yaml': SERVICE, 'plans/checkout.yaml': plan });
    expect(problems(files('canary: { region: us-east, bake: often }\n'))).toEqual([
      '<dir>/plans/checkout.yaml: canary.bake: must be a duration like 30s',
    ]);
    expect(problems(files('canary: { region: us-east, bake: auto, autoBake: { min: 2h, max: 1h } }\n'))).toEqual([
      '<dir>/plans/checkout.yaml: canary.autoBake.max: must not be below autoBake.min',
    ]);
    expect(problems(files('canary: { region: us-east, bake: 5m, autoBake: { min: 1m } }\n'))).toEqual([
      '<dir>/plans/checkout.yaml: canary.autoBake: only applies with bake: auto',
    ]);
    expect(problems(files('canary: { region: us-east, bake: auto, autoBake: { rule: median } }\n'))).toEqual([
      '<dir>/plans/checkout.yaml: canary.autoBake.rule: must be one of twice-mean, p95',
    ]);
  });

  it('resolves from history, clamps to the bounds and freezes the reason in the snapshot', () => {
    const cfg = config(AUTO_PLAN);
    const snapshot = expandPlan(cfg.plans.get('checkout')!, cfg.services.get('checkout')!, new Set(['us-east', 'eu-west']));
    const six = smokeStats([min(12), min(5), min(22), min(10), min(20), min(15)]);
    const resolved = resolveAutoBake(snapshot, six);
    expect(resolved.stages[0]).toMatchObject({ bakeMs: min(5) });
    expect(resolved.stages[0]!.bakeReason).toBeUndefined();
    expect(resolved.stages[1]).toMatchObject({ bakeMs: min(28), bakeReason: 'auto: 2 × mean 14m over 6 failures = 28m, within [10m, 4h]' });
    // clamped both ways
    expect(resolveAutoBake(snapshot, smokeStats([min(1), min(2), min(3)])).stages[1]).toMatchObject({
      bakeMs: min(10),
      bakeReason: 'auto: 2 × mean 2m over 3 failures = 4m, raised to the minimum 10m of [10m, 4h]',
    });
    expect(resolveAutoBake(snapshot, smokeStats([min(200), min(180), min(160)])).stages[1]).toMatchObject({
      bakeMs: 14_400_000,
      bakeReason: 'auto: 2 × mean 3h over 3 failures = 6h, lowered to the maximum 4h of [10m, 4h]',
    });
    // no history: the default, saying why
    expect(resolveAutoBake(snapshot, null).stages[1]).toMatchObject({
      bakeMs: min(10),
      bakeReason: 'auto: no failure in history (at least 3 needed): the default bake 10m, within [10m, 4h]',
    });
    // frozen: the snapshot is a plain JSON value, unaffected by later history
    const frozen = JSON.parse(JSON.stringify(resolved)) as typeof resolved;
    resolveAutoBake(snapshot, null);
    expect(frozen.stages[1]!.bakeMs).toBe(min(28));
    expect(snapshot.stages[1]!.bakeMs).toBe(min(10));
  });
});
