/** A gate's evaluations → the columns a chart draws: values by verdict, threshold, baseline and its allowed band (pure). */
import type { EvaluationView, RegionGateView } from '#view-types';

export const VERDICTS = ['pass', 'fail', 'inconclusive', 'error'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface GateSeries {
  /** seconds since epoch, ascending */
  x: number[];
  /** observed value per evaluation, one column per verdict (null where the verdict differs or nothing was observed) */
  byVerdict: Record<Verdict, Array<number | null>>;
  /** the threshold as a line (threshold gates), else null */
  threshold: Array<number | null> | null;
  thresholdValue: number | null;
  /** baseline gates: the baseline per evaluation and the highest value allowed */
  baseline: Array<number | null> | null;
  allowed: Array<number | null> | null;
  /** the last failing evaluation */
  lastFail: { at: number; observed: number | null; threshold: string; reason: string } | null;
}

const num = (v: number | string | null | undefined): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
};

/** "< 0.01", ">= 5", "<= 200" → the number; null for anything else. */
export function thresholdValue(condition: string): number | null {
  const m = /^\s*(?:<=|>=|<|>|==|!=|≤|≥)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/i.exec(condition);
  return m ? Number(m[1]) : null;
}

/** "≤ 1.5 × baseline and ≤ baseline + 0.2" → the tighter bound for a baseline value. */
export function allowedAbove(condition: string, baseline: number): number | null {
  const ratio = /≤\s*(\d+(?:\.\d+)?)\s*×\s*baseline/.exec(condition);
  const diff = /≤\s*baseline\s*\+\s*(\d+(?:\.\d+)?)/.exec(condition);
  const bounds = [ratio ? Number(ratio[1]) * baseline : null, diff ? baseline + Number(diff[1]) : null].filter(
    (b): b is number => b !== null,
  );
  return bounds.length === 0 ? null : Math.min(...bounds);
}

export function gateSeries(gate: Pick<RegionGateView, 'condition'>, evaluations: readonly EvaluationView[]): GateSeries {
  const evs = [...evaluations].sort((a, b) => Date.parse(a.evaluatedAt) - Date.parse(b.evaluatedAt));
  const x = evs.map((e) => Date.parse(e.evaluatedAt) / 1000);
  const byVerdict = Object.fromEntries(
    VERDICTS.map((v) => [v, evs.map((e) => (e.verdict === v ? num(e.observed) : null))]),
  ) as GateSeries['byVerdict'];
  const isBaseline = evs.some((e) => e.baselineQuery !== null) || /baseline/.test(gate.condition);
  const tv = isBaseline ? null : thresholdValue(gate.condition);
  const baseline = isBaseline ? evs.map((e) => num(e.baseline)) : null;
  const allowed = baseline ? baseline.map((b) => (b === null ? null : allowedAbove(gate.condition, b))) : null;
  const failing = [...evs].reverse().find((e) => e.verdict === 'fail');
  return {
    x,
    byVerdict,
    threshold: tv === null ? null : evs.map(() => tv),
    thresholdValue: tv,
    baseline,
    allowed,
    lastFail: failing
      ? { at: Date.parse(failing.evaluatedAt), observed: num(failing.observed), threshold: failing.threshold, reason: failing.reason }
      : null,
  };
}

/** "2 of 3 failures in a row" — how close the gate is to acting. */
export function streakText(status: RegionGateView['status'], failureLimit: number): string {
  if (!status) return 'not evaluated yet';
  if (status.failed) return `failed: ${failureLimit} of ${failureLimit} failures in a row`;
  return `${status.consecutiveFailures} of ${failureLimit} failures in a row`;
}

/** Labels of the series that failed, as "k=v, k=v". */
export const labelsText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ') || '(no labels)';

/** A measured value as people read it: 4 significant digits, no float noise (0.049999999999999996 → 0.05). */
export const formatValue = (v: number | null): string => (v === null ? 'nothing' : String(Number(v.toPrecision(4))));
