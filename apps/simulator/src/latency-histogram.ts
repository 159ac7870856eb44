/**
 * Deterministic latency histograms: the latency of a request is log-normal with the effective
 * latency as its median and sigma 0.2, and a bucket gets exactly its expected share of requests.
 */

/** Upper bounds in seconds (the `le` labels, `+Inf` implied). */
export const BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5];
export const SIGMA = 0.2;

/** erf with |error| < 1.2e-7 (Numerical Recipes' erfc, Chebyshev fit). */
function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - erfc : erfc - 1;
}

export function normalCdf(z: number): number {
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  return Math.min(1, Math.max(0, 0.5 * (1 + erf(z / Math.SQRT2))));
}

/** Share of requests at or below each bucket bound, for a log-normal latency with this median. */
export function bucketFractions(medianSeconds: number): number[] {
  if (!(medianSeconds > 0)) return BUCKETS.map(() => 1);
  const mu = Math.log(medianSeconds);
  return BUCKETS.map((le) => normalCdf((Math.log(le) - mu) / SIGMA));
}

/** The mean of that distribution (what `_sum / _count` shows). */
export function meanSeconds(medianSeconds: number): number {
  return Math.max(0, medianSeconds) * Math.exp((SIGMA * SIGMA) / 2);
}
