/** Gate specifications, Prometheus results and evaluations (PRODUCT.md "Gates (Prometheus)"). */

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error';
export type Reducer = 'max' | 'min' | 'sum' | 'avg';
/** 'all' (default): every series must pass; a reducer turns the series into one value first. */
export type SeriesRule = 'all' | Reducer;
export type InconclusivePolicy = 'pause' | 'pass' | 'fail';
export type Comparator = '<' | '<=' | '>' | '>=';

/**
 * threshold: `value op threshold` passes.
 * baseline: higher is worse. candidate ≤ baseline × maxRatio and candidate − baseline ≤
 * maxDifference, each only if set (at least one must be set).
 */
export type GateCondition =
  { kind: 'threshold'; op: Comparator; value: number } | { kind: 'baseline'; maxRatio?: number; maxDifference?: number };

export interface GateSpec {
  name: string;
  /** PromQL template, see renderQuery */
  query: string;
  condition: GateCondition;
  intervalMs: number;
  /** value of the `window` template variable */
  windowMs: number;
  /** consecutive (effective) failures that fail the gate */
  failureLimit: number;
  /** consecutive errors that pause the release */
  errorLimit: number;
  inconclusive: InconclusivePolicy;
  series: SeriesRule;
  minEvidence?: { query: string; min: number };
  queryTimeoutMs: number;
}

/** value may be NaN / ±Infinity */
export interface SeriesValue {
  labels: Record<string, string>;
  value: number;
}

export type QueryResult =
  { kind: 'vector'; series: SeriesValue[] } | { kind: 'scalar'; value: number } | { kind: 'matrix' } | { kind: 'string'; value: string };

export type QueryOutcome =
  | { ok: true; result: QueryResult; durationMs: number; warnings?: string[]; infos?: string[] }
  | { ok: false; error: string; status?: number; durationMs: number };

/** JSON-safe number: NaN / +Inf / -Inf as the strings "NaN", "+Inf", "-Inf". */
export type StoredNumber = number | string;

export interface StoredValue {
  labels: Record<string, string>;
  value: StoredNumber;
}

export interface Evaluation {
  verdict: Verdict;
  /** human: "0.052 > 0.01 (error-rate must be < 0.01) in series {code="500"}", "empty result", … */
  reason: string;
  /** the candidate query's series (empty when it failed or had the wrong shape) */
  values: StoredValue[];
  /** reduced value, or the worst (failing) series value */
  observed: StoredNumber | null;
  baseline: StoredNumber | null;
  /** e.g. "< 0.01" or "≤ 1.5 × baseline (0.051)" */
  threshold: string;
  failingSeries: Array<Record<string, string>>;
  /** sum of the evidence query's series, when configured and answered */
  evidence: StoredNumber | null;
  /** Prometheus' `warnings` and `infos` beside successful answers ("evidence query: …" for the others) */
  warnings: string[];
  infos: string[];
  /** HTTP status of the failed query, for `error` verdicts when Prometheus answered */
  status?: number;
}

/** NaN → "NaN", +Infinity → "+Inf", -Infinity → "-Inf"; finite numbers unchanged. */
export function toStoredNumber(n: number): StoredNumber {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return n;
}

/** Inverse of toStoredNumber (also accepts numeric strings). */
export function fromStoredNumber(v: StoredNumber): number {
  if (typeof v === 'number') return v;
  return parseSampleValue(v) ?? NaN;
}

/** A decimal float literal as Go's strconv.FormatFloat writes it (Prometheus' sample values). */
const FLOAT_LITERAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A Prometheus sample value string, parsed as Prometheus' own clients do: a decimal float
 * literal, "NaN", "+Inf" or "-Inf". Anything else — hexadecimal ("0x10"), surrounding space
 * (" 0.5"), an empty string, or a literal beyond the float range ("1e309") — is undefined.
 */
export function parseSampleValue(s: string): number | undefined {
  if (s === 'NaN') return NaN;
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (!FLOAT_LITERAL.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
