/** Read side: drills newest first, and each region's trend against its goal. */
import type { DrillKind, DrillRecord, DrillStore } from '#persistence';

export interface DrillTrend {
  region: string;
  kind: DrillKind;
  runs: number;
  metGoal: number;
  goalMs: number;
  latestMs: number | null;
  bestMs: number | null;
  /** latest vs the run before it: faster, slower, same, or null with fewer than two measured runs */
  direction: 'faster' | 'slower' | 'same' | null;
  series: Array<{ id: string; at: Date; firstMs: number | null; secondMs: number | null; metGoal: boolean | null; state: string }>;
}

/** Drills newest first and, per region and kind, the trend of the measured time against the goal (oldest first). */
export class ListDrills {
  constructor(private readonly drills: DrillStore) {}

  async execute(f: {
    region?: string | undefined;
    kind?: DrillKind | undefined;
    limit: number;
  }): Promise<{ items: DrillRecord[]; trend: DrillTrend[] }> {
    const items = await this.drills.list(f);
    const groups = new Map<string, DrillRecord[]>();
    for (const d of [...items].reverse()) {
      const key = `${d.region}\u0000${d.kind}`;
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    const trend = [...groups.values()].map((runs): DrillTrend => {
      const measured = runs.filter((d) => d.firstMs !== null).map((d) => d.firstMs!);
      const [prev, last] = measured.slice(-2);
      const latest = runs[runs.length - 1]!;
      return {
        region: latest.region,
        kind: latest.kind,
        runs: runs.length,
        metGoal: runs.filter((d) => d.metGoal).length,
        goalMs: latest.goalMs,
        latestMs: measured.length > 0 ? measured[measured.length - 1]! : null,
        bestMs: measured.length > 0 ? Math.min(...measured) : null,
        direction: last === undefined || prev === undefined ? null : last < prev ? 'faster' : last > prev ? 'slower' : 'same',
        series: runs.map((d) => ({
          id: d.id,
          at: d.requestedAt,
          firstMs: d.firstMs,
          secondMs: d.secondMs,
          metGoal: d.metGoal,
          state: d.state,
        })),
      };
    });
    return {
      items,
      trend: trend.sort((a, b) => (a.region === b.region ? a.kind.localeCompare(b.kind) : a.region.localeCompare(b.region))),
    };
  }
}
