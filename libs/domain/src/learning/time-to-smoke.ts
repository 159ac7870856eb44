/**
 * Time-to-smoke (seed ch. 7, "Constructing a Global Rollout"): how long after a region's rollout
 * completed its first failing gate evaluation came, summarised as mean and percentiles, and the
 * bake it suggests — the seed's rule of thumb (twice the mean) or a high percentile.
 */

/** One past failure: a region of a release whose gate first failed `delayMs` after its rollout completed. */
export interface SmokeSample {
  releaseId: string;
  version: string;
  region: string;
  gate: string;
  /** `bake` while the region baked, `watch` after it was verified (a slow smoke) */
  phase: 'bake' | 'watch';
  rolloutCompletedAt: Date;
  firstFailureAt: Date;
  delayMs: number;
}

export interface SmokeStats {
  failures: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  maxMs: number;
}

export type BakeRule = 'twice-mean' | 'p95';
export const BAKE_RULES: readonly BakeRule[] = ['twice-mean', 'p95'];

/** Fewer failures than this and the history says nothing: the configured default bake is used. */
export const MIN_SMOKE_FAILURES = 3;

/** Nearest-rank percentile (q in (0, 1]) of sorted values: the smallest value with at least q of them at or below it. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** null when there is no failure at all. */
export function smokeStats(delaysMs: readonly number[]): SmokeStats | null {
  if (delaysMs.length === 0) return null;
  const sorted = [...delaysMs].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    failures: sorted.length,
    meanMs: Math.round(mean),
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p95Ms: percentile(sorted, 0.95),
    maxMs: sorted[sorted.length - 1]!,
  };
}

/** 90_000 → "1m30s", 840_000 → "14m", 5_400_000 → "1h30m" (rounded to the second). */
export function humanDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000));
  if (rest === 0) return ms > 0 ? `${Math.round(ms)}ms` : '0s';
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

export interface BakeBounds {
  minMs: number;
  maxMs: number;
}

export interface BakeRecommendation {
  rule: BakeRule;
  bakeMs: number;
  /** `history` when enough failures were found, else `default` */
  source: 'history' | 'default';
  reason: string;
}

const ruleText = (rule: BakeRule, s: SmokeStats): { raw: number; text: string } =>
  rule === 'twice-mean'
    ? { raw: 2 * s.meanMs, text: `2 × mean ${humanDuration(s.meanMs)}` }
    : { raw: s.p95Ms, text: `p95 ${humanDuration(s.p95Ms)}` };

/**
 * The bake a rule recommends from the stats, clamped to the bounds when given; with fewer than
 * `minFailures` failures the default bake (also clamped), saying why.
 */
export function recommendBake(
  stats: SmokeStats | null,
  rule: BakeRule,
  opts: { defaultMs: number; bounds?: BakeBounds; minFailures?: number; prefix?: string },
): BakeRecommendation {
  const minFailures = opts.minFailures ?? MIN_SMOKE_FAILURES;
  const prefix = opts.prefix ?? '';
  const failures = stats?.failures ?? 0;
  if (!stats || failures < minFailures) {
    const { ms, note } = clamp(opts.defaultMs, opts.bounds);
    const why = failures === 0 ? 'no failure in history' : `only ${failures} failure${failures === 1 ? '' : 's'} in history`;
    return {
      rule,
      bakeMs: ms,
      source: 'default',
      reason: `${prefix}${why} (at least ${minFailures} needed): the default bake ${humanDuration(opts.defaultMs)}${note(opts.defaultMs)}`,
    };
  }
  const { raw, text } = ruleText(rule, stats);
  const { ms, note } = clamp(raw, opts.bounds);
  return { rule, bakeMs: ms, source: 'history', reason: `${prefix}${text} over ${failures} failures = ${humanDuration(raw)}${note(raw)}` };
}

function clamp(raw: number, bounds: BakeBounds | undefined): { ms: number; note: (raw: number) => string } {
  if (!bounds) return { ms: Math.round(raw), note: () => '' };
  const range = `[${humanDuration(bounds.minMs)}, ${humanDuration(bounds.maxMs)}]`;
  if (raw < bounds.minMs) return { ms: bounds.minMs, note: () => `, raised to the minimum ${humanDuration(bounds.minMs)} of ${range}` };
  if (raw > bounds.maxMs) return { ms: bounds.maxMs, note: () => `, lowered to the maximum ${humanDuration(bounds.maxMs)} of ${range}` };
  return { ms: Math.round(raw), note: () => `, within ${range}` };
}
