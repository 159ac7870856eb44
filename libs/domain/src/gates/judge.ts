/**
 * One gate evaluation → exactly one verdict. The rules, in the order they apply:
 *
 * 1. error — the candidate, evidence or baseline query did not answer (unreachable, timeout,
 *    bad query, HTTP status kept in `status`), was not run although the gate needs it, or
 *    returned a matrix or string ("query must return an instant vector or scalar"), or more
 *    than MAX_GATE_SERIES series (a query that forgot its aggregation; the cap bounds a round).
 * 2. inconclusive — minimum evidence is configured and its query is empty or NaN ("no
 *    evidence"), or the sum of its series is below `min` ("evidence 3 < 100").
 * 3. inconclusive — the candidate vector is empty ("empty result"). A scalar is one series
 *    without labels.
 * 4. inconclusive — baseline gates only: the baseline query has no non-NaN value ("no
 *    baseline"). The baseline value is the avg of its non-NaN series, or the gate's reducer.
 * 5. series 'all': every series is compared. Any failing series → fail (each one's labels in
 *    failingSeries, observed = the worst failing value); else any NaN series → inconclusive;
 *    else pass (observed = the worst value).
 *    reducer: NaN series are dropped, the rest reduced (none left, or a NaN sum such as
 *    +Inf + -Inf → inconclusive), and the single value compared.
 *
 * ±Inf are real values and are compared: histogram_quantile answers +Inf when every request
 * is slower than the top bucket, so a latency gate fails.
 * Baseline (higher is worse): candidate ≤ baseline × maxRatio and candidate − baseline ≤
 * maxDifference, each only if set. With a baseline of 0 the ratio passes only candidates ≤ 0
 * (use maxDifference for metrics that are often 0, such as error rates). +Inf against a +Inf
 * baseline passes a ratio but fails a difference (Inf − Inf is NaN, which never passes).
 */
import { formatValue, inSeries, thresholdText } from './format.js';
import {
  toStoredNumber,
  type Evaluation,
  type GateSpec,
  type QueryOutcome,
  type QueryResult,
  type Reducer,
  type SeriesValue,
} from './types.js';

/** The most series a gate accepts from one query; more is an `error` verdict naming the cap. */
export const MAX_GATE_SERIES = 10_000;

export interface GateOutcomes {
  candidate: QueryOutcome;
  evidence?: QueryOutcome;
  baseline?: QueryOutcome;
}

function seriesOf(result: QueryResult): SeriesValue[] | null {
  if (result.kind === 'vector') return result.series;
  if (result.kind === 'scalar') return [{ labels: {}, value: result.value }];
  return null;
}

/** What Prometheus said beside its answers: the candidate's as is, the others named. */
function notesOf(outcomes: GateOutcomes, key: 'warnings' | 'infos'): string[] {
  const out: string[] = [];
  const named: Array<[string, QueryOutcome | undefined]> = [
    ['', outcomes.candidate],
    ['evidence query: ', outcomes.evidence],
    ['baseline query: ', outcomes.baseline],
  ];
  for (const [prefix, o] of named) if (o?.ok) for (const note of o[key] ?? []) out.push(`${prefix}${note}`);
  return out;
}

export function reduceValues(reducer: Reducer, values: number[]): number {
  switch (reducer) {
    // a loop, never Math.max(...values): a spread of 150,000 values overflows the call stack
    case 'max':
      return values.reduce((a, b) => (b > a || Number.isNaN(b) ? b : a), -Infinity);
    case 'min':
      return values.reduce((a, b) => (b < a || Number.isNaN(b) ? b : a), Infinity);
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/** true when `a` is worse than `b` for this gate (higher is worse unless the gate wants > / >=). */
function worse(gate: GateSpec, a: number, b: number): boolean {
  const c = gate.condition;
  const lowerIsWorse = c.kind === 'threshold' && (c.op === '>' || c.op === '>=');
  return lowerIsWorse ? a < b : a > b;
}

function passes(gate: GateSpec, v: number, baseline: number | null): boolean {
  const c = gate.condition;
  if (c.kind === 'threshold') {
    switch (c.op) {
      case '<':
        return v < c.value;
      case '<=':
        return v <= c.value;
      case '>':
        return v > c.value;
      case '>=':
        return v >= c.value;
    }
  }
  if (baseline === null || (c.maxRatio === undefined && c.maxDifference === undefined)) return false;
  if (c.maxRatio !== undefined && !(v <= baseline * c.maxRatio)) return false;
  if (c.maxDifference !== undefined && !(v - baseline <= c.maxDifference)) return false;
  return true;
}

/** Why `v` breaks the condition, e.g. "0.052 > 0.01 (error-rate must be < 0.01)". */
function breachText(gate: GateSpec, v: number, baseline: number | null): string {
  const c = gate.condition;
  if (c.kind === 'threshold') {
    const rel = v > c.value ? '>' : v < c.value ? '<' : '=';
    return `${formatValue(v)} ${rel} ${formatValue(c.value)} (${gate.name} must be ${c.op} ${formatValue(c.value)})`;
  }
  const b = baseline ?? NaN;
  const parts: string[] = [];
  if (c.maxRatio !== undefined && !(v <= b * c.maxRatio)) {
    parts.push(`${formatValue(v)} > ${formatValue(c.maxRatio)} × baseline ${formatValue(b)}`);
  }
  if (c.maxDifference !== undefined && !(v - b <= c.maxDifference)) {
    parts.push(`${formatValue(v)} − baseline ${formatValue(b)} = ${formatValue(v - b)} > ${formatValue(c.maxDifference)}`);
  }
  if (parts.length === 0) parts.push('baseline condition sets neither maxRatio nor maxDifference');
  return `${parts.join('; ')} (${gate.name})`;
}

function passText(gate: GateSpec, v: number, baseline: number | null): string {
  return `${formatValue(v)} ${thresholdText(gate.condition, baseline)}`;
}

export function judgeGate(gate: GateSpec, outcomes: GateOutcomes): Evaluation {
  let baseline: number | null = null;
  let evidence: number | null = null;
  let values: SeriesValue[] = [];
  const done = (verdict: Evaluation['verdict'], reason: string, more: Partial<Evaluation> = {}): Evaluation => ({
    verdict,
    reason,
    values: values.map((s) => ({ labels: s.labels, value: toStoredNumber(s.value) })),
    observed: null,
    baseline: baseline === null ? null : toStoredNumber(baseline),
    threshold: thresholdText(gate.condition, baseline),
    failingSeries: [],
    evidence: evidence === null ? null : toStoredNumber(evidence),
    warnings: notesOf(outcomes, 'warnings'),
    infos: notesOf(outcomes, 'infos'),
    ...more,
  });

  // 1. errors, shapes
  const wanted: Array<[string, QueryOutcome | undefined, boolean]> = [
    ['query', outcomes.candidate, true],
    ['evidence query', outcomes.evidence, gate.minEvidence !== undefined],
    ['baseline query', outcomes.baseline, gate.condition.kind === 'baseline'],
  ];
  const answers: SeriesValue[][] = [];
  for (const [what, outcome, needed] of wanted) {
    if (!needed) {
      answers.push([]);
      continue;
    }
    if (outcome === undefined) return done('error', `${what} was not run`);
    if (!outcome.ok)
      return done('error', `${what} failed: ${outcome.error}`, outcome.status === undefined ? {} : { status: outcome.status });
    const series = seriesOf(outcome.result);
    if (series === null) return done('error', `${what} must return an instant vector or scalar, got a ${outcome.result.kind}`);
    if (series.length > MAX_GATE_SERIES) {
      return done(
        'error',
        `${what} returned ${series.length} series; a gate accepts at most ${MAX_GATE_SERIES} (aggregate the query, e.g. sum by (…) or max)`,
      );
    }
    answers.push(series);
  }
  const [candidate = [], evidenceSeries = [], baselineSeries = []] = answers;
  values = candidate;

  // 2. evidence
  if (gate.minEvidence) {
    const known = evidenceSeries.map((s) => s.value).filter((v) => !Number.isNaN(v));
    const sum = known.reduce((a, b) => a + b, 0);
    if (known.length === 0 || Number.isNaN(sum)) {
      return done(
        'inconclusive',
        evidenceSeries.length === 0 ? 'no evidence (the evidence query returned nothing)' : 'no evidence (the evidence query returned NaN)',
      );
    }
    evidence = sum;
    if (sum < gate.minEvidence.min) return done('inconclusive', `evidence ${formatValue(sum)} < ${formatValue(gate.minEvidence.min)}`);
  }

  // 3. empty
  if (candidate.length === 0) return done('inconclusive', 'empty result');

  // 4. baseline
  if (gate.condition.kind === 'baseline') {
    const known = baselineSeries.map((s) => s.value).filter((v) => !Number.isNaN(v));
    const b = known.length === 0 ? NaN : reduceValues(gate.series === 'all' ? 'avg' : gate.series, known);
    if (Number.isNaN(b)) {
      return done(
        'inconclusive',
        baselineSeries.length === 0 ? 'no baseline (the baseline query returned nothing)' : 'no baseline (the baseline query returned NaN)',
      );
    }
    baseline = b;
  }

  // 5. compare
  if (gate.series === 'all') {
    const failing = candidate.filter((s) => !Number.isNaN(s.value) && !passes(gate, s.value, baseline));
    if (failing.length > 0) {
      const worst = failing.reduce((w, s) => (worse(gate, s.value, w.value) ? s : w));
      const more = failing.length > 1 ? ` and ${failing.length - 1} more series` : '';
      return done('fail', `${breachText(gate, worst.value, baseline)}${inSeries(worst.labels)}${more}`, {
        observed: toStoredNumber(worst.value),
        failingSeries: failing.map((s) => s.labels),
      });
    }
    const nan = candidate.filter((s) => Number.isNaN(s.value));
    if (nan.length > 0) {
      const first = nan[0]!;
      const where =
        candidate.length === 1
          ? inSeries(first.labels)
          : ` in ${nan.length} of ${candidate.length} series, e.g.${inSeries(first.labels).replace(' in series', '') || ' {}'}`;
      return done('inconclusive', `NaN result${where}`, { observed: 'NaN' });
    }
    const worst = candidate.reduce((w, s) => (worse(gate, s.value, w.value) ? s : w));
    const all = candidate.length > 1 ? ` (worst of ${candidate.length} series${inSeries(worst.labels)})` : '';
    return done('pass', `${passText(gate, worst.value, baseline)}${all}`, { observed: toStoredNumber(worst.value) });
  }

  const reducer = gate.series;
  const known = candidate.filter((s) => !Number.isNaN(s.value));
  if (known.length === 0) return done('inconclusive', `NaN result (all ${candidate.length} series are NaN)`, { observed: 'NaN' });
  const v = reduceValues(
    reducer,
    known.map((s) => s.value),
  );
  if (Number.isNaN(v)) return done('inconclusive', `NaN result (${reducer} of ${known.length} series)`, { observed: 'NaN' });
  if (passes(gate, v, baseline)) return done('pass', `${reducer} ${passText(gate, v, baseline)}`, { observed: toStoredNumber(v) });
  const contributors = reducer === 'max' || reducer === 'min' ? known.filter((s) => s.value === v).slice(0, 1) : known;
  const where = contributors.length === 1 ? inSeries(contributors[0]!.labels) : ` over ${contributors.length} series`;
  return done('fail', `${reducer} ${breachText(gate, v, baseline)}${where}`, {
    observed: toStoredNumber(v),
    failingSeries: contributors.map((s) => s.labels),
  });
}
