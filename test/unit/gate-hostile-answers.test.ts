/** Prometheus answers no one here wrote: huge vectors, sample values Prometheus never sends, `__proto__` labels, warnings. */
import { describe, expect, it } from 'vitest';
import { judgeGate, MAX_GATE_SERIES, parsePromResponse, parseSampleValue, reduceValues, type GateSpec, type QueryOutcome } from '#domain';

const gate = (over: Partial<GateSpec> = {}): GateSpec => ({
  name: 'error-rate',
  query: 'rate(errors{region="{{region}}"}[{{window}}])',
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

const answer = (result: unknown[], more: Record<string, unknown> = {}) => ({
  status: 'success',
  data: { resultType: 'vector', result },
  ...more,
});
const outcome = (body: unknown): QueryOutcome => {
  const p = parsePromResponse(body);
  if (!p.ok) return { ok: false, error: p.error, durationMs: 1 };
  return { ok: true, result: p.result, durationMs: 1, warnings: p.warnings, infos: p.infos };
};
const manySeries = (n: number, value = '0.001') =>
  answer(Array.from({ length: n }, (_, i) => ({ metric: { pod: `p${i}` }, value: [1, value] })));

describe('D: a huge vector never crashes the judge', () => {
  it('reduces 200,000 values without a spread (max, min, NaN kept as Math.max does)', () => {
    const values = Array.from({ length: 200_000 }, (_, i) => i % 1000);
    expect(reduceValues('max', values)).toBe(999);
    expect(reduceValues('min', values)).toBe(0);
    expect(reduceValues('max', [1, NaN, 3])).toBeNaN();
  });

  for (const series of ['max', 'min', 'all', 'sum'] as const) {
    it(`series: ${series} — 150,000 series is an error verdict naming the cap`, () => {
      const ev = judgeGate(gate({ series }), { candidate: outcome(manySeries(150_000)) });
      expect(ev.verdict).toBe('error');
      expect(ev.reason).toContain(`150000 series; a gate accepts at most ${MAX_GATE_SERIES}`);
      expect(ev.values).toEqual([]);
    });
  }

  it('the baseline and evidence queries are capped too; at the cap the gate still judges', () => {
    const base = gate({ series: 'max', condition: { kind: 'baseline', maxRatio: 2 } });
    const ev = judgeGate(base, { candidate: outcome(manySeries(3)), baseline: outcome(manySeries(MAX_GATE_SERIES + 1)) });
    expect(ev).toMatchObject({ verdict: 'error' });
    expect(ev.reason).toContain('baseline query returned');
    const atCap = judgeGate(gate({ series: 'max' }), { candidate: outcome(manySeries(MAX_GATE_SERIES)) });
    expect(atCap).toMatchObject({ verdict: 'pass', observed: 0.001 });
  });
});

describe('E: sample values are parsed as Prometheus clients do', () => {
  it('accepts decimal literals, NaN, +Inf, -Inf', () => {
    expect(parseSampleValue('0.5')).toBe(0.5);
    expect(parseSampleValue('-12')).toBe(-12);
    expect(parseSampleValue('1e-3')).toBe(0.001);
    expect(parseSampleValue('1.5E+10')).toBe(1.5e10);
    expect(parseSampleValue('.5')).toBe(0.5);
    expect(parseSampleValue('NaN')).toBeNaN();
    expect(parseSampleValue('+Inf')).toBe(Infinity);
    expect(parseSampleValue('-Inf')).toBe(-Infinity);
  });

  for (const bad of ['0x10', ' 0.5', '0.5 ', '1e309', '-1e309', '', '0b1', '1_000', 'Infinity', 'inf', 'nan', '1.2.3', '+', 'e5', '١']) {
    it(`refuses ${JSON.stringify(bad)}: the gate's verdict is error, never pass`, () => {
      expect(parseSampleValue(bad)).toBeUndefined();
      const ev = judgeGate(gate(), { candidate: outcome(answer([{ metric: {}, value: [1, bad] }])) });
      expect(ev.verdict).toBe('error');
      expect(ev.reason).toContain('malformed sample value');
      const evidence = judgeGate(gate({ minEvidence: { query: 'x', min: 1 } }), {
        candidate: outcome(answer([{ metric: {}, value: [1, '0.001'] }])),
        evidence: outcome(answer([{ metric: {}, value: [1, bad] }])),
      });
      expect(evidence.verdict).toBe('error');
    });
  }
});

describe('F: labels and what Prometheus says beside its answer', () => {
  it('keeps a label named __proto__ as an ordinary label, through JSON and back', () => {
    const body = JSON.parse(
      '{"status":"success","data":{"resultType":"vector","result":[' +
        '{"metric":{"__proto__":"a","job":"x"},"value":[1,"0.5"]},{"metric":{"__proto__":"b","job":"x"},"value":[1,"0.7"]}]}}',
    );
    const ev = judgeGate(gate(), { candidate: outcome(body) });
    expect(ev.verdict).toBe('fail');
    const stored = JSON.parse(JSON.stringify(ev.failingSeries)) as Array<Record<string, string>>;
    expect(stored.map((l) => Object.entries(l))).toEqual([
      [
        ['__proto__', 'a'],
        ['job', 'x'],
      ],
      [
        ['__proto__', 'b'],
        ['job', 'x'],
      ],
    ]);
    expect(JSON.stringify(ev.values)).toContain('"__proto__":"a"');
    expect(ev.reason).toContain('__proto__="b"');
    expect(Object.prototype).not.toHaveProperty('job');
  });

  it('keeps warnings and infos of a success answer with the evaluation, naming the query they came from', () => {
    const candidate = outcome(
      answer([{ metric: {}, value: [1, '0.001'] }], { warnings: ['PromQL info: metric might not be a counter'], infos: ['i1', 7] }),
    );
    const evidence = outcome(answer([{ metric: {}, value: [1, '500'] }], { warnings: ['partial response'] }));
    const ev = judgeGate(gate({ minEvidence: { query: 'x', min: 1 } }), { candidate, evidence });
    expect(ev.verdict).toBe('pass');
    expect(ev.warnings).toEqual(['PromQL info: metric might not be a counter', 'evidence query: partial response']);
    expect(ev.infos).toEqual(['i1']);
    const quiet = judgeGate(gate(), { candidate: outcome(answer([{ metric: {}, value: [1, '0.001'] }])) });
    expect(quiet).toMatchObject({ warnings: [], infos: [] });
  });
});
