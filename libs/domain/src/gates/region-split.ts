/**
 * Splitting one batched answer (see region-batch.ts) back into each region's answer, so every
 * region is judged by judgeGate exactly as if its own query had been run:
 * - a failed query is that failure for every region, except a refused query (HTTP 400/422),
 *   which sends the caller back to one query per region (a rewrite must never cost a verdict);
 * - a vector's series go to the region their label names (all of them, NaN and duplicates
 *   included: judgeGate judges every series); a region with no series gets an empty vector
 *   (inconclusive for that region only); series of regions not asked for are dropped and
 *   counted;
 * - a series without the region label, or an answer that is not a vector, cannot be attributed:
 *   the caller queries region by region instead (never pass what was not observed).
 */
import type { QueryOutcome, SeriesValue } from './types.js';

export type RegionSplit =
  { ok: true; byRegion: Map<string, QueryOutcome>; /** series of regions not asked for */ ignored: number } | { ok: false; reason: string };

function without(labels: Record<string, string>, label: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(labels)) if (k !== label) out[k] = v;
  return out;
}

/**
 * `label`: the label carrying the region; `stripLabel`: remove it from each series (the batched
 * query grouped by it only because Tideline added it).
 */
export function splitByRegion(outcome: QueryOutcome, regions: readonly string[], label: string, stripLabel: boolean): RegionSplit {
  const byRegion = new Map<string, QueryOutcome>();
  if (!outcome.ok) {
    if (outcome.status === 400 || outcome.status === 422) return { ok: false, reason: `the batched query was refused: ${outcome.error}` };
    for (const r of regions) byRegion.set(r, outcome);
    return { ok: true, byRegion, ignored: 0 };
  }
  if (outcome.result.kind !== 'vector') return { ok: false, reason: `the batched query returned a ${outcome.result.kind}, not a vector` };
  const wanted = new Set(regions);
  const series = new Map<string, SeriesValue[]>(regions.map((r) => [r, []]));
  let ignored = 0;
  for (const s of outcome.result.series) {
    const region = Object.prototype.hasOwnProperty.call(s.labels, label) ? s.labels[label] : undefined;
    if (region === undefined) return { ok: false, reason: `a series of the batched answer has no ${label} label` };
    if (!wanted.has(region)) {
      ignored++;
      continue;
    }
    series.get(region)!.push({ labels: stripLabel ? without(s.labels, label) : s.labels, value: s.value });
  }
  const notes = {
    ...(outcome.warnings && outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
    ...(outcome.infos && outcome.infos.length > 0 ? { infos: outcome.infos } : {}),
  };
  for (const r of regions) {
    byRegion.set(r, { ok: true, result: { kind: 'vector', series: series.get(r)! }, durationMs: outcome.durationMs, ...notes });
  }
  return { ok: true, byRegion, ignored };
}
