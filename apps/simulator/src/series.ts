/** Accumulated request counters and latency histograms, one entry per (region, deployment, version). */
import { BUCKETS, bucketFractions, meanSeconds } from './latency-histogram.js';

export interface SeriesLabels {
  region: string;
  namespace: string;
  deployment: string;
  version: string;
}

export interface Series extends SeriesLabels {
  ok: number;
  errors: number;
  /** Cumulative counts per bucket of BUCKETS (the `+Inf` bucket is `count`). */
  buckets: number[];
  sum: number;
  count: number;
}

export const seriesKey = (l: SeriesLabels): string => `${l.region}\u0000${l.namespace}\u0000${l.deployment}\u0000${l.version}`;

export class SeriesStore {
  private series = new Map<string, Series>();

  clear(): void {
    this.series.clear();
  }

  /** Adds `requests` served with this error rate and median latency (created on first traffic). */
  add(labels: SeriesLabels, requests: number, errorRate: number, medianSeconds: number): void {
    if (!(requests > 0)) return;
    const key = seriesKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { ...labels, ok: 0, errors: 0, buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const errors = requests * errorRate;
    s.errors += errors;
    s.ok += requests - errors;
    const fractions = bucketFractions(medianSeconds);
    for (let i = 0; i < fractions.length; i += 1) s.buckets[i] = (s.buckets[i] ?? 0) + requests * (fractions[i] ?? 1);
    s.sum += requests * meanSeconds(medianSeconds);
    s.count += requests;
  }

  get(labels: SeriesLabels): Series | undefined {
    const s = this.series.get(seriesKey(labels));
    return s ? { ...s, buckets: [...s.buckets] } : undefined;
  }

  /** Every series, sorted by region, namespace, deployment, version. */
  all(): Series[] {
    return [...this.series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  }
}
