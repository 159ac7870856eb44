import { describe, expect, it } from 'vitest';
import { judgeGate, parsePromResponse, type GateSpec, type QueryOutcome, type SeriesValue } from '#domain';

const gate = (over: Partial<GateSpec> = {}): GateSpec => ({
  name: 'error-rate',
  query: 'sum(rate(errors{region="{{region}}"}[{{window}}]))',
  condition: { kind: 'threshold', op: '<', value: 0.01 },
  intervalMs: 30_000,
  windowMs: 60_000,
  failureLimit: 1,
  errorLimit: 3,
  inconclusive: 'pause',
  series: 'all',
  queryTimeoutMs: 5_000,
  ...over,
});

const vec = (...series: Array<[Record<string, string>, number]>): QueryOutcome => ({
  ok: true,
  durationMs: 3,
  result: { kind: 'vector', series: series.map(([labels, value]): SeriesValue => ({ labels, value })) },
});
const one = (value: number, labels: Record<string, string> = {}): QueryOutcome => vec([labels, value]);
const scalar = (value: number): QueryOutcome => ({ ok: true, durationMs: 1, result: { kind: 'scalar', value } });
const failed = (error: string, status?: number): QueryOutcome => ({
  ok: false,
  error,
  durationMs: 2,
  ...(status === undefined ? {} : { status }),
});

describe('judgeGate: threshold', () => {
  it('passes below the threshold and fails above it, naming value, threshold and series', () => {
    expect(judgeGate(gate(), { candidate: one(0.002) })).toMatchObject({ verdict: 'pass', observed: 0.002, threshold: '< 0.01' });
    const ev = judgeGate(gate(), { candidate: one(0.052, { code: '500' }) });
    expect(ev.verdict).toBe('fail');
    expect(ev.reason).toBe('0.052 > 0.01 (error-rate must be < 0.01) in series {code="500"}');
    expect(ev.failingSeries).toEqual([{ code: '500' }]);
    expect(ev.values).toEqual([{ labels: { code: '500' }, value: 0.052 }]);
  });

  it('honours each comparator at the boundary', () => {
    const at = (op: '<' | '<=' | '>' | '>=') =>
      judgeGate(gate({ condition: { kind: 'threshold', op, value: 1 } }), { candidate: one(1) }).verdict;
    expect([at('<'), at('<='), at('>'), at('>=')]).toEqual(['fail', 'pass', 'fail', 'pass']);
  });

  it('NaN is inconclusive, never a pass', () => {
    const ev = judgeGate(gate(), { candidate: one(NaN) });
    expect(ev).toMatchObject({ verdict: 'inconclusive', observed: 'NaN', values: [{ labels: {}, value: 'NaN' }] });
    expect(ev.reason).toContain('NaN');
  });

  it('+Inf is a real value: a latency gate fails on it, and it is stored as "+Inf"', () => {
    const ev = judgeGate(gate({ name: 'p99', condition: { kind: 'threshold', op: '<', value: 0.5 } }), { candidate: one(Infinity) });
    expect(ev).toMatchObject({ verdict: 'fail', observed: '+Inf', values: [{ labels: {}, value: '+Inf' }] });
    expect(ev.reason).toContain('+Inf > 0.5');
    expect(JSON.parse(JSON.stringify(ev))).toEqual(ev);
  });

  it('-Inf is compared too', () => {
    expect(judgeGate(gate(), { candidate: one(-Infinity) })).toMatchObject({ verdict: 'pass', observed: '-Inf' });
    expect(judgeGate(gate({ condition: { kind: 'threshold', op: '>', value: 0 } }), { candidate: one(-Infinity) }).verdict).toBe('fail');
  });

  it('an empty vector is inconclusive "empty result"', () => {
    expect(judgeGate(gate(), { candidate: vec() })).toMatchObject({ verdict: 'inconclusive', reason: 'empty result', observed: null });
  });

  it('a scalar is one series without labels', () => {
    expect(judgeGate(gate(), { candidate: scalar(0.001) })).toMatchObject({ verdict: 'pass', values: [{ labels: {}, value: 0.001 }] });
    const ev = judgeGate(gate(), { candidate: scalar(0.5) });
    expect(ev).toMatchObject({ verdict: 'fail', failingSeries: [{}] });
    expect(ev.reason).not.toContain('in series');
  });

  it('string and matrix results are errors', () => {
    for (const result of [{ kind: 'string', value: 'x' }, { kind: 'matrix' }] as const) {
      const ev = judgeGate(gate(), { candidate: { ok: true, durationMs: 1, result } });
      expect(ev.verdict).toBe('error');
      expect(ev.reason).toContain('must return an instant vector or scalar');
      expect(ev.reason).toContain(result.kind);
    }
  });
});

describe('judgeGate: several series', () => {
  const three = vec([{ pod: 'a' }, 0.001], [{ pod: 'b' }, 0.03], [{ pod: 'c' }, 0.02]);

  it("'all': every failing series is recorded, observed is the worst", () => {
    const ev = judgeGate(gate(), { candidate: three });
    expect(ev).toMatchObject({ verdict: 'fail', observed: 0.03, failingSeries: [{ pod: 'b' }, { pod: 'c' }] });
    expect(ev.reason).toContain('{pod="b"} and 1 more series');
  });

  it("'all': lower is worse for > conditions", () => {
    const ev = judgeGate(gate({ condition: { kind: 'threshold', op: '>', value: 0.025 } }), { candidate: three });
    expect(ev).toMatchObject({ verdict: 'fail', observed: 0.001, failingSeries: [{ pod: 'a' }, { pod: 'c' }] });
  });

  it("'all': a failure beats a NaN; a NaN beats a pass", () => {
    expect(judgeGate(gate(), { candidate: vec([{ pod: 'a' }, NaN], [{ pod: 'b' }, 0.5]) }).verdict).toBe('fail');
    const ev = judgeGate(gate(), { candidate: vec([{ pod: 'a' }, NaN], [{ pod: 'b' }, 0.001]) });
    expect(ev.verdict).toBe('inconclusive');
    expect(ev.reason).toBe('NaN result in 1 of 2 series, e.g. {pod="a"}');
  });

  it("'all' passes when every series passes, reporting the worst", () => {
    expect(judgeGate(gate(), { candidate: vec([{ pod: 'a' }, 0.001], [{ pod: 'b' }, 0.005]) })).toMatchObject({
      verdict: 'pass',
      observed: 0.005,
    });
  });

  it.each([
    ['max', 0.03, 'fail', [{ pod: 'b' }]],
    ['min', 0.001, 'pass', []],
    ['sum', 0.051, 'fail', [{ pod: 'a' }, { pod: 'b' }, { pod: 'c' }]],
    ['avg', 0.017, 'fail', [{ pod: 'a' }, { pod: 'b' }, { pod: 'c' }]],
  ] as const)('reducer %s → %s', (series, observed, verdict, failingSeries) => {
    const ev = judgeGate(gate({ series }), { candidate: three });
    expect(ev.verdict).toBe(verdict);
    expect(ev.observed).toBeCloseTo(observed, 10);
    expect(ev.failingSeries).toEqual(failingSeries);
    expect(ev.reason.startsWith(series)).toBe(true);
  });

  it('a reducer drops NaN series; all NaN is inconclusive; Inf + -Inf is inconclusive', () => {
    expect(judgeGate(gate({ series: 'max' }), { candidate: vec([{ p: 'a' }, NaN], [{ p: 'b' }, 0.001]) })).toMatchObject({
      verdict: 'pass',
      observed: 0.001,
    });
    expect(judgeGate(gate({ series: 'avg' }), { candidate: vec([{ p: 'a' }, NaN], [{ p: 'b' }, NaN]) }).verdict).toBe('inconclusive');
    expect(judgeGate(gate({ series: 'sum' }), { candidate: vec([{ p: 'a' }, Infinity], [{ p: 'b' }, -Infinity]) }).verdict).toBe(
      'inconclusive',
    );
    expect(judgeGate(gate({ series: 'max' }), { candidate: vec([{ p: 'a' }, Infinity], [{ p: 'b' }, 0]) }).verdict).toBe('fail');
  });
});

describe('judgeGate: evidence', () => {
  const g = gate({ minEvidence: { query: 'sum(requests)', min: 100 } });

  it('evidence below min is inconclusive and says so', () => {
    const ev = judgeGate(g, { candidate: one(0.5), evidence: vec([{ a: '1' }, 1], [{ a: '2' }, 2]) });
    expect(ev).toMatchObject({ verdict: 'inconclusive', reason: 'evidence 3 < 100', evidence: 3 });
    expect(ev.values).toHaveLength(1);
  });

  it('empty or NaN evidence is "no evidence"', () => {
    expect(judgeGate(g, { candidate: one(0.5), evidence: vec() }).reason).toMatch(/^no evidence/);
    expect(judgeGate(g, { candidate: one(0.5), evidence: one(NaN) }).reason).toMatch(/^no evidence/);
  });

  it('enough evidence lets the verdict count', () => {
    expect(judgeGate(g, { candidate: one(0.5), evidence: scalar(250) })).toMatchObject({ verdict: 'fail', evidence: 250 });
  });

  it('a configured evidence query that was not run, or failed, is an error', () => {
    expect(judgeGate(g, { candidate: one(0.001) }).verdict).toBe('error');
    expect(judgeGate(g, { candidate: one(0.001), evidence: failed('prometheus answered 503: down', 503) })).toMatchObject({
      verdict: 'error',
      reason: 'evidence query failed: prometheus answered 503: down',
      status: 503,
    });
  });
});

describe('judgeGate: baseline', () => {
  const g = gate({ name: 'latency', condition: { kind: 'baseline', maxRatio: 1.5 } });
  const base = vec([{ region: 'us' }, 0.1], [{ region: 'eu' }, 0.12], [{ region: 'ap' }, NaN]);

  it('2× the baseline fails, 1.05× passes (maxRatio 1.5); baseline = avg of non-NaN series', () => {
    const bad = judgeGate(g, { candidate: one(0.22), baseline: base });
    expect(bad).toMatchObject({ verdict: 'fail', baseline: 0.11, threshold: '≤ 1.5 × baseline (0.11)' });
    expect(bad.reason).toContain('0.22 > 1.5 × baseline 0.11');
    expect(judgeGate(g, { candidate: one(0.1155), baseline: base })).toMatchObject({ verdict: 'pass', baseline: 0.11 });
  });

  it('the reducer also reduces the baseline', () => {
    expect(judgeGate({ ...g, series: 'max' }, { candidate: one(0.17), baseline: base })).toMatchObject({ verdict: 'pass', baseline: 0.12 });
  });

  it('maxDifference, alone or with maxRatio', () => {
    const d = gate({ condition: { kind: 'baseline', maxDifference: 0.01 } });
    expect(judgeGate(d, { candidate: one(0.015), baseline: one(0.01) }).verdict).toBe('pass');
    expect(judgeGate(d, { candidate: one(0.025), baseline: one(0.01) })).toMatchObject({
      verdict: 'fail',
      threshold: '≤ baseline + 0.01 (0.01)',
    });
    const both = gate({ condition: { kind: 'baseline', maxRatio: 2, maxDifference: 0.001 } });
    expect(judgeGate(both, { candidate: one(0.015), baseline: one(0.01) }).verdict).toBe('fail');
  });

  it('a baseline of 0 with maxRatio only passes candidates ≤ 0', () => {
    expect(judgeGate(g, { candidate: one(0), baseline: one(0) }).verdict).toBe('pass');
    expect(judgeGate(g, { candidate: one(0.0001), baseline: one(0) }).verdict).toBe('fail');
  });

  it('an empty or NaN baseline is inconclusive "no baseline"', () => {
    expect(judgeGate(g, { candidate: one(0.1), baseline: vec() })).toMatchObject({ verdict: 'inconclusive', baseline: null });
    expect(judgeGate(g, { candidate: one(0.1), baseline: one(NaN) }).reason).toMatch(/^no baseline/);
  });

  it('a failed or missing baseline query is an error', () => {
    expect(judgeGate(g, { candidate: one(0.1) })).toMatchObject({ verdict: 'error', reason: 'baseline query was not run' });
    expect(judgeGate(g, { candidate: one(0.1), baseline: failed('prometheus at http://p timed out after 5000ms') }).reason).toBe(
      'baseline query failed: prometheus at http://p timed out after 5000ms',
    );
  });
});

describe('judgeGate: errors', () => {
  it.each([
    ['prometheus unreachable at http://prom:9090: ECONNREFUSED', undefined],
    ['prometheus at http://prom:9090 timed out after 5000ms', undefined],
    ['bad query (bad_data): parse error at char 5', 400],
    ['prometheus answered 503: unavailable', 503],
    ['prometheus answered with non-JSON: <html>', 200],
  ])('%s → error, status kept', (message, status) => {
    const ev = judgeGate(gate(), { candidate: failed(message, status) });
    expect(ev).toMatchObject({ verdict: 'error', reason: `query failed: ${message}`, values: [], observed: null });
    expect(ev.status).toBe(status);
  });

  it('errors come before inconclusive evidence', () => {
    const g = gate({ minEvidence: { query: 'x', min: 10 } });
    expect(judgeGate(g, { candidate: failed('boom'), evidence: vec() }).verdict).toBe('error');
  });
});

describe('parsePromResponse', () => {
  it('parses vectors with NaN / +Inf / -Inf strings', () => {
    const body = {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { code: '500' }, value: [1700000000.1, '0.5'] },
          { metric: {}, value: [1700000000.1, 'NaN'] },
          { metric: { le: 'x' }, value: [1700000000.1, '+Inf'] },
          { metric: { le: 'y' }, value: [1700000000.1, '-Inf'] },
        ],
      },
    };
    const r = parsePromResponse(body);
    expect(r.ok && r.result.kind === 'vector' && r.result.series.map((s) => s.value)).toEqual([0.5, NaN, Infinity, -Infinity]);
  });

  it('parses scalar, string, matrix; rejects errors and malformed values', () => {
    expect(parsePromResponse({ status: 'success', data: { resultType: 'scalar', result: [1, '2.5'] } })).toEqual({
      ok: true,
      result: { kind: 'scalar', value: 2.5 },
      warnings: [],
      infos: [],
    });
    expect(parsePromResponse({ status: 'success', data: { resultType: 'string', result: [1, 'hi'] } })).toEqual({
      ok: true,
      result: { kind: 'string', value: 'hi' },
      warnings: [],
      infos: [],
    });
    expect(parsePromResponse({ status: 'success', data: { resultType: 'matrix', result: [] } })).toEqual({
      ok: true,
      result: { kind: 'matrix' },
      warnings: [],
      infos: [],
    });
    expect(parsePromResponse({ status: 'error', errorType: 'bad_data', error: 'parse error' })).toEqual({
      ok: false,
      error: 'bad_data: parse error',
    });
    expect(parsePromResponse({ status: 'success', data: { resultType: 'scalar', result: [1, 'abc'] } }).ok).toBe(false);
    expect(parsePromResponse('nope').ok).toBe(false);
  });
});
