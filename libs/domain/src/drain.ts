/**
 * Verifying that a region's traffic moved (PRODUCT.md "Traffic"), by its request rate: a drain
 * is verified when the rate falls to `drainedFraction` of the rate before it, a restore when
 * the rate is back above half of it. One rule for release drains and for region operations.
 */

/** A restore is verified when the rate is back above this fraction of the pre-drain rate. */
export const RESTORED_FRACTION = 0.5;
/** "99% drained": the recorded drain time is until the rate fell below this fraction. */
export const DRAIN_99_FRACTION = 0.01;

export interface TrafficReading {
  /** whether the region has a rateQuery to measure it by */
  hasRateQuery: boolean;
  /** the rate before the drain (the reference) */
  preDrainRate: number | null;
  /** the rate now; null when it could not be read */
  rate: number | null;
  /** since the weight was set */
  elapsedMs: number;
  drainTimeoutMs: number;
}

export type TrafficVerdict =
  /** the move cannot be verified (no rateQuery, or no rate before the drain): `note` says why */
  | { kind: 'unverifiable'; note: string }
  /** the rate says the traffic moved */
  | { kind: 'verified' }
  /** the timeout passed without the rate saying so */
  | { kind: 'timed_out' }
  | { kind: 'waiting' };

/** Why a move cannot be verified, or null when it can. */
export function unverifiableReason(hasRateQuery: boolean, preDrainRate: number | null): string | null {
  if (!hasRateQuery) return 'not verified: the region has no rateQuery';
  if (preDrainRate === null || preDrainRate <= 0) return 'not verified: no request rate before the drain';
  return null;
}

/** A drain: verified once the rate is at most `drainedFraction` of the pre-drain rate. */
export function judgeDrain(r: TrafficReading, drainedFraction: number): TrafficVerdict {
  return judge(r, (rate, ref) => rate <= ref * drainedFraction);
}

/** A restore: verified once the rate is back to at least RESTORED_FRACTION of the pre-drain rate. */
export function judgeRestore(r: TrafficReading): TrafficVerdict {
  return judge(r, (rate, ref) => rate >= ref * RESTORED_FRACTION);
}

/** Whether the rate has fallen below 1% of the pre-drain rate ("99% drained"). */
export function drained99(rate: number | null, preDrainRate: number | null): boolean {
  return rate !== null && preDrainRate !== null && rate <= preDrainRate * DRAIN_99_FRACTION;
}

function judge(r: TrafficReading, moved: (rate: number, ref: number) => boolean): TrafficVerdict {
  const note = unverifiableReason(r.hasRateQuery, r.preDrainRate);
  if (note !== null) return { kind: 'unverifiable', note };
  if (r.rate !== null && moved(r.rate, r.preDrainRate!)) return { kind: 'verified' };
  if (r.elapsedMs >= r.drainTimeoutMs) return { kind: 'timed_out' };
  return { kind: 'waiting' };
}
