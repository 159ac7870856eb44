/** One gate query for many regions: which templates qualify, the rewrite, and the split back per region (hostile answers too). */
import { describe, expect, it } from 'vitest';
import {
  judgeGate,
  planRegionBatch,
  REGION_SENTINEL,
  renderQuery,
  splitByRegion,
  type GateSpec,
  type QueryOutcome,
  type SeriesValue,
} from '#domain';

const VARS = { service: 'web', namespace: 'shop', version: '2.0.0', previousVersion: '1.0.0', window: '5m' };
const sentinel = (template: string) => renderQuery(template, { ...VARS, region: REGION_SENTINEL });
const SEL = 'region="{{region}}", deployment="{{service}}", version="{{version}}"';
const ERROR_RATE = `sum(rate(http_requests_total{${SEL}, code="500"}[{{window}}])) / sum(rate(http_requests_total{${SEL}}[{{window}}]))`;

function plan(template: string) {
  const p = planRegionBatch(sentinel(template));
  if (!p.ok) throw new Error(`expected a batch plan: ${p.reason}`);
  return p;
}

function refused(template: string): string {
  const p = planRegionBatch(sentinel(template));
  if (p.ok) throw new Error(`expected ${template} to be refused, got ${p.build(['a', 'b'])}`);
  return p.reason;
}

describe('planRegionBatch: which templates qualify', () => {
  it('an error-rate ratio: region matchers become one regex, every aggregation groups by region', () => {
    const p = plan(ERROR_RATE);
    expect(p.label).toBe('region');
    expect(p.stripLabel).toBe(true);
    expect(p.build(['us-east', 'eu-west'])).toBe(
      'sum by (region)(rate(http_requests_total{region=~"us-east|eu-west", deployment="web", version="2.0.0", code="500"}[5m])) / ' +
        'sum by (region)(rate(http_requests_total{region=~"us-east|eu-west", deployment="web", version="2.0.0"}[5m]))',
    );
  });

  it('by (…) clauses before or after the arguments get the region label added', () => {
    const q = 'histogram_quantile(0.9, sum by (le) (rate(h_bucket{region=~"{{region}}"}[{{window}}])))';
    expect(plan(q).build(['a', 'b'])).toBe('histogram_quantile(0.9, sum by (le, region) (rate(h_bucket{region=~"a|b"}[5m])))');
    expect(plan('sum(rate(x{region="{{region}}"}[1m])) by (code) > 0').build(['a'])).toBe(
      'sum(rate(x{region=~"a"}[1m])) by (code, region) > 0',
    );
    expect(plan('max by () (x{region="{{region}}"})').build(['a'])).toBe('max by (region) (x{region=~"a"})');
  });

  it('a query without aggregation keeps its series (and their region label) as they are', () => {
    const p = plan('rate(errors{cluster="{{region}}"}[5m]) / rate(requests{cluster="{{region}}"}[5m]) > bool 0.1');
    expect(p.label).toBe('cluster');
    expect(p.stripLabel).toBe(false);
    expect(p.build(['x', 'y'])).toBe('rate(errors{cluster=~"x|y"}[5m]) / rate(requests{cluster=~"x|y"}[5m]) > bool 0.1');
  });

  it('offsets, subqueries, @ and comments do not disturb the rewrite', () => {
    const q = 'max_over_time(sum(rate(x{region="{{region}}"}[1m] offset 1m))[5m:30s]) @ end() # {{service}}';
    expect(plan(q).build(['a', 'b'])).toBe('max_over_time(sum by (region)(rate(x{region=~"a|b"}[1m] offset 1m))[5m:30s]) @ end() # web');
  });

  it.each([
    ['a selector without the region', 'sum(rate(x{region="{{region}}"}[1m])) / sum(rate(total[1m]))', 'does not select the region'],
    ['a selector of another label set', 'sum(x{region="{{region}}"}) / sum(y{job="a"})', 'does not select the region'],
    ['{{region}} outside a matcher', 'sum(x{region="{{region}}"}) + on() group_left vector(1)', 'vector matching'],
    ['a negative matcher', 'sum(x{region!="{{region}}"})', 'other than'],
    ['a region inside a longer value', 'sum(x{region="{{region}}-1"})', 'other than'],
    ['two labels carrying the region', 'sum(x{region="{{region}}"}) / sum(y{dc="{{region}}"})', 'two labels'],
    ['without (…)', 'sum without (pod) (x{region="{{region}}"})', 'without'],
    ['already grouped by region', 'sum by (region) (x{region="{{region}}"})', 'already groups by region'],
    ['topk', 'topk(3, x{region="{{region}}"})', 'topk'],
    ['count_values', 'count_values("v", x{region="{{region}}"})', 'count_values'],
    ['scalar()', 'x{region="{{region}}"} > scalar(sum(y{region="{{region}}"}))', 'scalar'],
    ['absent()', 'absent(x{region="{{region}}"})', 'absent'],
    ['label_replace()', 'label_replace(x{region="{{region}}"}, "region", "z", "", "")', 'label_replace'],
    ['hour() without argument', 'sum(x{region="{{region}}"}) and hour() > 8', 'hour'],
    ['a selector outside the aggregation', 'sum(x{region="{{region}}"}) + y{region="{{region}}"}', 'outside every aggregation'],
    ['ignoring()', 'x{region="{{region}}"} / ignoring(code) y{region="{{region}}"}', 'vector matching'],
    ['a bare metric name', 'up', 'does not select the region'],
    [
      'the region in a string argument',
      'sum(x{region="{{region}}"}) > 0 and label_join(y{region="{{region}}"}, "a", ",", "{{region}}")',
      'label_join',
    ],
    ['no region at all', 'sum(x{job="a"})', 'does not select the region'],
    ['a quoted label name', 'sum({"region"="{{region}}"})', 'does not read'],
  ])('refuses %s', (_what, template, why) => {
    expect(refused(template)).toContain(why);
  });

  it('refuses region names that are not plain names', () => {
    expect(() => plan(ERROR_RATE).build(['a.b'])).toThrow(RangeError);
    expect(() => plan(ERROR_RATE).build([])).toThrow(RangeError);
  });
});

const vector = (series: SeriesValue[], extra: Partial<QueryOutcome> = {}): QueryOutcome =>
  ({ ok: true, result: { kind: 'vector', series }, durationMs: 7, ...extra }) as QueryOutcome;
const s = (labels: Record<string, string>, value: number): SeriesValue => ({ labels, value });
const REGIONS = ['a', 'b', 'c'];

function split(outcome: QueryOutcome, strip = true, regions = REGIONS) {
  const r = splitByRegion(outcome, regions, 'region', strip);
  if (!r.ok) throw new Error(r.reason);
  return r;
}
const seriesOf = (o: QueryOutcome | undefined) => (o?.ok && o.result.kind === 'vector' ? o.result.series : null);

describe('splitByRegion', () => {
  it('hands each region its own series, without the label Tideline added', () => {
    const r = split(vector([s({ region: 'a' }, 0.1), s({ region: 'b', code: '500' }, 0.2)], { warnings: ['w'] }));
    expect(seriesOf(r.byRegion.get('a'))).toEqual([s({}, 0.1)]);
    expect(seriesOf(r.byRegion.get('b'))).toEqual([s({ code: '500' }, 0.2)]);
    expect(r.byRegion.get('a')).toMatchObject({ warnings: ['w'], durationMs: 7 });
    expect(Object.getPrototypeOf(seriesOf(r.byRegion.get('a'))![0]!.labels)).toBeNull();
  });

  it('keeps the label when the query kept it itself', () => {
    const r = split(vector([s({ region: 'a', pod: 'p' }, 1)]), false);
    expect(seriesOf(r.byRegion.get('a'))).toEqual([s({ region: 'a', pod: 'p' }, 1)]);
  });

  it('a region missing from the answer gets an empty vector (inconclusive there only)', () => {
    const r = split(vector([s({ region: 'a' }, 0)]));
    expect(seriesOf(r.byRegion.get('c'))).toEqual([]);
  });

  it('keeps NaN and duplicate series (every series is judged), drops and counts unknown regions', () => {
    const r = split(vector([s({ region: 'a' }, NaN), s({ region: 'b' }, 1), s({ region: 'b' }, 2), s({ region: 'zz' }, 9)]));
    expect(seriesOf(r.byRegion.get('a'))![0]!.value).toBeNaN();
    expect(seriesOf(r.byRegion.get('b'))).toEqual([s({}, 1), s({}, 2)]);
    expect(r.ignored).toBe(1);
  });

  it('a series without the region label, or a scalar, cannot be attributed: the caller falls back', () => {
    expect(splitByRegion(vector([s({ region: 'a' }, 0), s({ code: '500' }, 1)]), REGIONS, 'region', true)).toMatchObject({ ok: false });
    expect(splitByRegion({ ok: true, result: { kind: 'scalar', value: 0 }, durationMs: 1 }, REGIONS, 'region', true).ok).toBe(false);
    expect(splitByRegion({ ok: true, result: { kind: 'matrix' }, durationMs: 1 }, REGIONS, 'region', true).ok).toBe(false);
  });

  it('a label called __proto__ or constructor does not confuse the split', () => {
    const r = splitByRegion(vector([s({ region: '__proto__' }, 0)]), REGIONS, 'region', true);
    expect(r).toMatchObject({ ok: true, ignored: 1 });
    const labels = Object.create(null) as Record<string, string>;
    labels['code'] = '1';
    expect(splitByRegion(vector([s(labels, 0)]), REGIONS, 'region', true).ok).toBe(false);
  });

  it('an unreachable Prometheus is an error in every region; a refused query falls back', () => {
    const down: QueryOutcome = { ok: false, error: 'prometheus unreachable', durationMs: 3 };
    const r = split(down);
    expect(REGIONS.map((x) => r.byRegion.get(x))).toEqual([down, down, down]);
    expect(splitByRegion({ ok: false, error: 'bad query', status: 400, durationMs: 1 }, REGIONS, 'region', true).ok).toBe(false);
  });
});

const gate = (over: Partial<GateSpec> = {}): GateSpec => ({
  name: 'error-rate',
  query: ERROR_RATE,
  condition: { kind: 'threshold', op: '<', value: 0.01 },
  intervalMs: 30_000,
  windowMs: 60_000,
  failureLimit: 1,
  errorLimit: 3,
  inconclusive: 'pause',
  series: 'all',
  queryTimeoutMs: 10_000,
  ...over,
});

describe('the split keeps the verdicts of per-region queries', () => {
  it.each(['all', 'max', 'sum'] as const)('series %s: same verdict, reason and values as each region queried alone', (series) => {
    const perRegion: Record<string, SeriesValue[]> = {
      a: [s({ code: '500' }, 0.001), s({ code: '503' }, 0.2)],
      b: [s({ code: '500' }, NaN)],
      c: [],
      d: [s({ code: '500' }, 0.005), s({ code: '503' }, NaN)],
    };
    const batched = Object.entries(perRegion).flatMap(([region, list]) => list.map((x) => s({ ...x.labels, region }, x.value)));
    const r = split(vector(batched), true, Object.keys(perRegion));
    for (const [region, list] of Object.entries(perRegion)) {
      const alone = judgeGate(gate({ series }), { candidate: vector(list) });
      const fromBatch = judgeGate(gate({ series }), { candidate: r.byRegion.get(region)! });
      expect(fromBatch, region).toEqual(alone);
    }
  });
});
