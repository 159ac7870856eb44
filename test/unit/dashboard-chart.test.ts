/** Gate chart series: values by verdict, the threshold line, the baseline and its allowed band, the streak. */
import { describe, expect, it } from 'vitest';
import type { EvaluationView } from '../../apps/api/src/view-types.js';
import {
  allowedAbove,
  formatValue,
  gateSeries,
  labelsText,
  streakText,
  thresholdValue,
} from '../../apps/dashboard/src/logic/chart-series.js';

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s)).toISOString();
function ev(id: number, verdict: string, observed: number | string | null, over: Partial<EvaluationView> = {}): EvaluationView {
  return {
    id: String(id),
    region: 'us-west',
    stageIndex: 0,
    gate: 'error-rate',
    phase: 'bake',
    verdict,
    reason: `${verdict} reason`,
    query: 'q',
    evidenceQuery: null,
    baselineQuery: null,
    values: [],
    observed,
    baseline: null,
    evidence: null,
    threshold: '< 0.01',
    failingSeries: [],
    durationMs: 3,
    evaluatedAt: at(id),
    ...over,
  } as EvaluationView;
}

describe('gate chart series', () => {
  it('puts each evaluation in its verdict column, in time order, against the threshold', () => {
    const s = gateSeries({ condition: '< 0.01' }, [ev(3, 'fail', 0.05), ev(1, 'pass', 0), ev(2, 'inconclusive', null)]);
    expect(s.x).toEqual([1, 2, 3].map((i) => Date.parse(at(i)) / 1000));
    expect(s.byVerdict.pass).toEqual([0, null, null]);
    expect(s.byVerdict.fail).toEqual([null, null, 0.05]);
    expect(s.byVerdict.inconclusive).toEqual([null, null, null]);
    expect(s.threshold).toEqual([0.01, 0.01, 0.01]);
    expect(s.baseline).toBeNull();
    expect(s.lastFail).toMatchObject({ observed: 0.05, threshold: '< 0.01', reason: 'fail reason' });
  });

  it('reads numbers stored as text; NaN and empty are gaps', () => {
    const s = gateSeries({ condition: '>= 5' }, [ev(1, 'pass', '7.5'), ev(2, 'error', 'NaN'), ev(3, 'pass', '')]);
    expect(s.byVerdict.pass).toEqual([7.5, null, null]);
    expect(s.thresholdValue).toBe(5);
  });

  it('baseline gates: the baseline series and the tighter allowed bound as the band', () => {
    const evs = [ev(1, 'pass', 0.12, { baseline: 0.1, baselineQuery: 'b' }), ev(2, 'fail', 0.3, { baseline: 0.1, baselineQuery: 'b' })];
    const s = gateSeries({ condition: '≤ 1.5 × baseline and ≤ baseline + 0.02' }, evs);
    expect(s.threshold).toBeNull();
    expect(s.baseline).toEqual([0.1, 0.1]);
    expect(s.allowed!.map((v) => Number(v!.toFixed(4)))).toEqual([0.12, 0.12]);
    expect(allowedAbove('≤ 1.5 × baseline', 2)).toBe(3);
    expect(allowedAbove('nothing', 2)).toBeNull();
  });

  it('parses thresholds and says how close the gate is to acting', () => {
    expect(thresholdValue('< 0.01')).toBe(0.01);
    expect(thresholdValue('<= 250')).toBe(250);
    expect(thresholdValue('> -1e-3')).toBe(-0.001);
    expect(thresholdValue('≤ 1.5 × baseline')).toBeNull();
    const status = {
      evaluations: 4,
      lastVerdict: 'fail' as const,
      lastReason: '',
      consecutiveFailures: 2,
      consecutiveErrors: 0,
      failed: false,
      lastEvaluatedAt: null,
      nextDueAt: null,
    };
    expect(streakText(status, 3)).toBe('2 of 3 failures in a row');
    expect(streakText({ ...status, failed: true }, 3)).toBe('failed: 3 of 3 failures in a row');
    expect(streakText(null, 3)).toBe('not evaluated yet');
    expect(labelsText({ region: 'us-west', code: '500' })).toBe('region=us-west, code=500');
    expect(formatValue(0.049999999999999996)).toBe('0.05');
    expect(formatValue(1234.5678)).toBe('1235');
    expect(formatValue(null)).toBe('nothing');
  });
});
