/** The wave planner: table tests over trait mixes; every region placed exactly once with its reason; the YAML is a valid plan. */
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { planYaml } from '#application';
import { proposePlan, type PlannerRegion, type ProposedPlan } from '#domain';
import { load, removeFixtures } from '../fixtures/config/harness.js';

afterAll(removeFixtures);

const r = (
  name: string,
  tier: string,
  tags: string[] = [],
  timeZone = 'Europe/Paris',
  requestRate: number | null = null,
): PlannerRegion => ({ name, tier, tags, timeZone, requestRate });
const placements = (p: ProposedPlan) => [p.canary, ...p.waves.flatMap((w) => w.regions)];
const order = (p: ProposedPlan) => placements(p).map((x) => x.region);

/** The config a proposal must load with: the regions, one service, the proposed plan. */
function loadsAsPlan(regions: PlannerRegion[], p: ProposedPlan) {
  const files = {
    'regions.yaml': stringify({
      regions: regions.map((x) => ({
        name: x.name,
        timeZone: x.timeZone,
        traits: { tier: x.tier, tags: x.tags },
        kubernetes: { context: x.name },
      })),
    }),
    'services/web.yaml': 'workloads:\n  - deployment: web\n',
    'plans/web.yaml': planYaml('web', p),
  };
  return load(files).plans.get('web')!;
}

const MIXED = [
  r('canary-1', 'low', ['canary'], 'Europe/Paris', 5),
  r('eu-small', 'low', [], 'Europe/Paris', 20),
  r('eu-big', 'high', [], 'Europe/Paris', 900),
  r('ap-mobile', 'low', ['mobile-heavy'], 'Asia/Tokyo', 40),
  r('ap-cjk', 'high', ['non-latin-input', 'mobile-heavy'], 'Asia/Tokyo', 700),
  r('ap-cjk-2', 'low', ['non-latin-input'], 'Asia/Tokyo', 30),
  r('us-1', 'high', [], 'America/New_York', 800),
  r('us-2', 'low', [], 'America/New_York', 50),
  r('us-3', 'high', [], 'America/Chicago', 600),
];

const TABLE: Array<{ name: string; regions: PlannerRegion[]; canary?: string; expectOrder?: string[]; waves?: string[] }> = [
  {
    name: 'a mix of tiers, tags, zones and measured traffic',
    regions: MIXED,
    expectOrder: ['canary-1', 'eu-small', 'eu-big', 'ap-mobile', 'ap-cjk-2', 'us-2', 'us-3', 'ap-cjk', 'us-1'],
    waves: [
      'low-traffic-canary-like',
      'high-traffic-canary-like',
      'first-mobile-heavy',
      'first-non-latin-input',
      'first-zone-america',
      'parallel-1',
      'parallel-2',
    ],
  },
  {
    name: 'all low, no tags, no traffic measured',
    regions: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => r(n, 'low', [], 'UTC')),
    expectOrder: ['a', 'b', 'c', 'd', 'e', 'f'],
    waves: ['low-traffic-canary-like', 'parallel-1', 'parallel-2'],
  },
  {
    name: 'missing tags and one high tier: the tier decides the traffic',
    regions: [r('x', 'high', [], 'UTC'), r('y', 'low', [], 'UTC'), r('z', 'low', [], 'UTC'), r('w', 'high', [], 'UTC')],
    expectOrder: ['y', 'z', 'w', 'x'],
    waves: ['low-traffic-canary-like', 'high-traffic-canary-like', 'parallel-1'],
  },
  { name: 'one region', regions: [r('solo', 'low')], expectOrder: ['solo'], waves: [] },
  {
    name: "the service's canary comes first even if it is not the quietest",
    regions: [r('quiet', 'low', [], 'UTC', 1), r('main', 'high', [], 'UTC', 100), r('mid', 'low', [], 'UTC', 10)],
    canary: 'main',
    expectOrder: ['main', 'quiet', 'mid'],
  },
  {
    name: '50 regions over 5 zones and 3 tags',
    regions: Array.from({ length: 50 }, (_, i) =>
      r(
        `r-${String(i).padStart(2, '0')}`,
        i % 3 === 0 ? 'high' : 'low',
        i % 7 === 0 ? ['mobile-heavy'] : i % 11 === 0 ? ['non-latin-input'] : i % 13 === 0 ? ['rtl'] : [],
        ['Europe/Paris', 'Asia/Tokyo', 'America/Denver', 'Africa/Lagos', 'Australia/Sydney'][i % 5]!,
        i % 4 === 0 ? null : (i * 37) % 500,
      ),
    ),
  },
];

describe('wave planner', () => {
  for (const row of TABLE) {
    it(row.name, () => {
      const plan = proposePlan(row.regions, row.canary);
      // every region exactly once, none forgotten
      expect([...order(plan)].sort()).toEqual(row.regions.map((x) => x.name).sort());
      expect(new Set(order(plan)).size).toBe(row.regions.length);
      // every placement has a reason that says something
      for (const p of placements(plan)) expect(p.reason.length, p.region).toBeGreaterThan(10);
      if (row.expectOrder) expect(order(plan)).toEqual(row.expectOrder);
      if (row.waves) expect(plan.waves.map((w) => w.name)).toEqual(row.waves);
      // single-region waves come before parallel ones, and parallel waves grow
      const parallel = plan.waves.filter((w) => w.name.startsWith('parallel-'));
      for (let i = 1; i < parallel.length - 1; i++) expect(parallel[i]!.regions.length).toBeGreaterThan(parallel[i - 1]!.regions.length);
      expect(plan.waves.findIndex((w) => w.name.startsWith('parallel-'))).toBe(
        parallel.length > 0 ? plan.waves.length - parallel.length : -1,
      );
      // deterministic: same input (in any order) → same plan
      expect(proposePlan([...row.regions].reverse(), row.canary)).toEqual(plan);
      // the YAML loads with the plan schema and lists the same regions
      const loaded = loadsAsPlan(row.regions, plan);
      expect([loaded.canary.region, ...loaded.waves.flatMap((w) => w.regions)]).toEqual(order(plan));
      expect(loaded.waves.every((w) => w.autoBake !== undefined)).toBe(true);
    });
  }

  it('rates that do not differ leave the decision to the tier', () => {
    const plan = proposePlan([r('a', 'low', [], 'UTC', 20), r('b', 'high', [], 'UTC', 20), r('c', 'low', [], 'UTC', 20.5)], 'a');
    expect(plan.waves.map((w) => [w.name, w.regions[0]!.region])).toEqual([
      ['low-traffic-canary-like', 'c'],
      ['high-traffic-canary-like', 'b'],
    ]);
    expect(plan.waves[1]!.reason).toBe(
      'canary-like with high traffic: tier high (20 req/s measured, too close to the others to tell): same input at scale, tests only the load',
    );
  });

  it('says why each region is where it is', () => {
    const plan = proposePlan(MIXED);
    const why = Object.fromEntries(placements(plan).map((p) => [p.region, p.reason]));
    expect(why['canary-1']).toBe('tagged canary (low traffic: 5 req/s measured (median 50 req/s))');
    expect(why['eu-small']).toBe(
      'canary-like (no tag the canary lacks) with low traffic: 20 req/s measured (median 50 req/s): little impact if it fails',
    );
    expect(why['eu-big']).toBe(
      'canary-like with high traffic: 900 req/s measured (median 50 req/s): same input at scale, tests only the load',
    );
    expect(why['ap-mobile']).toBe(
      'first region with mobile-heavy (also new: time zone Asia); low traffic: 40 req/s measured (median 50 req/s)',
    );
    expect(why['ap-cjk-2']).toBe('first region with non-latin-input; low traffic: 30 req/s measured (median 50 req/s)');
    expect(why['us-2']).toBe('first region with time zone America; low traffic: 50 req/s measured (median 50 req/s)');
    expect(why['us-1']).toMatch(
      /^every trait already proven: parallel wave 2 of up to 4 regions, lower traffic first; high traffic: 800 req\/s/,
    );
  });

  it('without a tagged or configured canary starts with the quietest region and says so; refuses duplicates and nothing', () => {
    const plan = proposePlan([r('b', 'high', [], 'UTC', 90), r('a', 'low', [], 'UTC', 3)]);
    expect(plan.canary).toEqual({
      region: 'a',
      reason: 'no canary configured or tagged: the lowest-traffic region (low traffic: 3 req/s measured (median 46.5 req/s))',
    });
    expect(() => proposePlan([])).toThrow('no region to plan');
    expect(() => proposePlan([r('a', 'low'), r('a', 'low')])).toThrow('region a is listed twice');
  });

  it('writes each reason into the YAML as a comment', () => {
    const yaml = planYaml('web', proposePlan(MIXED));
    expect(yaml).toContain('# canary-like with high traffic: 900 req/s measured');
    expect(yaml).toContain('# tagged canary');
    expect(yaml).toMatch(/bake: auto/);
  });
});
