/**
 * When a release's gates are due: a gate's first due time (one interval into the bake, less the
 * release's lead; on the release's grid for the gate, or else just after a scrape), the grids the
 * release keeps, and which regions' gates are watched.
 */
import {
  alignToScrape,
  firstDueLeadMs,
  firstDueOnGrid,
  initialGateStatus,
  selectedMetrics,
  type GateSpec,
  type GateStatus,
  type ScrapeTiming,
  type StageSnapshot,
} from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';
import type { MetricsSources } from '../ports.js';

export function stageGates(stage: StageSnapshot | undefined): GateSpec[] {
  return stage?.gates ?? [];
}

/** Regions whose gates are watched: baking ones and, until the release ends, verified ones. */
export function isWatched(t: TargetRecord): boolean {
  return t.state === 'baking' || t.state === 'verified';
}

/**
 * A gate's status for a target, or its initial one: first evaluation one interval into the bake,
 * less this release's lead (round-timing.ts), so releases started together do not burst together;
 * on the grid the release already keeps for the gate, or else just after a scrape of what the
 * gate queries when that is known (alignToScrape).
 */
export function gateStatusOf(
  release: ReleaseRecord,
  t: TargetRecord,
  gate: GateSpec,
  gridDueMs?: number,
  scrape?: ScrapeTiming | null,
): GateStatus {
  const saved = t.gateStatus?.[gate.name];
  if (saved) return saved;
  const stage = release.plan.stages[t.stageIndex]!;
  const bakeStart = t.rolloutCompletedAt?.getTime() ?? t.verifiedAt?.getTime() ?? 0;
  const initial = initialGateStatus(gate, bakeStart, stage.bakeMs);
  const first = initial.nextDueAtMs - firstDueLeadMs(release.id, gate, stage.bakeMs);
  const nextDueAtMs =
    gridDueMs === undefined
      ? alignToScrape(gate, first, scrape, release.id, bakeStart)
      : firstDueOnGrid(gate, first, bakeStart, stage.bakeMs, gridDueMs);
  return { ...initial, nextDueAtMs };
}

/** Per gate name, a due time of the grid the release already keeps for it (same interval), from regions evaluated before. */
export function releaseGrids(release: ReleaseRecord, targets: readonly TargetRecord[]): Map<string, { intervalMs: number; dueMs: number }> {
  const grids = new Map<string, { intervalMs: number; dueMs: number }>();
  for (const t of targets) {
    if (!isWatched(t)) continue;
    for (const gate of stageGates(release.plan.stages[t.stageIndex])) {
      const saved = t.gateStatus?.[gate.name];
      if (saved && !saved.failed && !grids.has(gate.name)) grids.set(gate.name, { intervalMs: gate.intervalMs, dueMs: saved.nextDueAtMs });
    }
  }
  return grids;
}

/**
 * For the gates about to get their first due time without a grid to join: when their region's
 * Prometheus scrapes what they query (null when unknown), by region and gate name.
 */
export async function scrapeTimings(
  metrics: MetricsSources,
  release: ReleaseRecord,
  targets: readonly TargetRecord[],
  grids: ReadonlyMap<string, { intervalMs: number }>,
): Promise<Map<string, ScrapeTiming | null>> {
  const asks: Array<Promise<void>> = [];
  const out = new Map<string, ScrapeTiming | null>();
  const metricsOf = new Map<string, string[]>(); // by query text: tokenized once per round, not per region
  for (const t of targets) {
    if (!isWatched(t)) continue;
    for (const gate of stageGates(release.plan.stages[t.stageIndex])) {
      if (t.gateStatus?.[gate.name] || grids.get(gate.name)?.intervalMs === gate.intervalMs) continue;
      const source = metrics.forRegion(t.region);
      if (!source.scrapeTiming) continue;
      const key = `${t.region}\u0000${gate.name}`;
      let names = metricsOf.get(gate.query);
      if (!names) metricsOf.set(gate.query, (names = selectedMetrics(gate.query)));
      asks.push(
        source.scrapeTiming(names).then(
          (timing) => void out.set(key, timing),
          () => void out.set(key, null),
        ),
      );
    }
  }
  await Promise.all(asks);
  return out;
}
