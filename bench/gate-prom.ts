/** What the gate bench asks Prometheus: when a fault's first sample was scraped and when the gate's query first breached. */
import type { RunningPrometheus } from '../scripts/prometheus.js';
import { GATE_SERVICE } from './gate-config.js';

/** A Prometheus range vector or range query (matrix) as [epoch ms, value] per series. */
export async function promMatrix(
  prom: RunningPrometheus,
  path: string,
  params: Record<string, string>,
): Promise<Array<Array<[number, number]>>> {
  const res = await fetch(`${prom.url}${path}?${new URLSearchParams(params).toString()}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: Array<{ values?: Array<[number, string]> }> };
  };
  if (body.status !== 'success' || !body.data) throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
  if (body.data.resultType !== 'matrix') throw new Error(`prometheus ${path}: expected a matrix, got ${body.data.resultType}`);
  return body.data.result.map((s) => (s.values ?? []).map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]));
}

/** Timestamp of the first scraped sample with errors for the version in the region (null when none). */
export async function firstErrorSample(prom: RunningPrometheus, region: string, version: string, atMs: number): Promise<number | null> {
  const sel = `sim_http_requests_total{region="${region}", deployment="${GATE_SERVICE}", version="${version}", code="500"}`;
  const series = await promMatrix(prom, '/api/v1/query', { query: `${sel}[3m]`, time: (atMs / 1000).toFixed(3) });
  const hits = series
    .flat()
    .filter(([, v]) => v > 0)
    .map(([t]) => t);
  return hits.length ? Math.min(...hits) : null;
}

/** First instant (50 ms steps) from `fromMs` at which the gate's resolved query breaches the threshold. */
export async function breachVisibleAt(
  prom: RunningPrometheus,
  query: string,
  threshold: number,
  fromMs: number,
  toMs: number,
): Promise<number | null> {
  const series = await promMatrix(prom, '/api/v1/query_range', {
    query,
    start: (fromMs / 1000).toFixed(3),
    end: (toMs / 1000).toFixed(3),
    step: '0.05',
  });
  const hits = series
    .flat()
    .filter(([, v]) => v >= threshold)
    .map(([t]) => t);
  return hits.length ? Math.min(...hits) : null;
}
