/** Checks across files: what a plan asks of the regions it names. */
import type { PathSegment } from './errors.js';
import type { Problem } from './schema-kit.js';
import type { PlanConfig, RegionConfig } from './types.js';

/** `onFailure: drain` needs a traffic provider, and gates a Prometheus, in every region of that stage. */
export function checkDrainProviders(plan: PlanConfig, regions: readonly RegionConfig[]): Problem[] {
  const byName = new Map(regions.map((r) => [r.name, r]));
  const stages: Array<{ path: PathSegment[]; onFailure: string; regions: readonly string[]; gates: number }> = [
    { path: ['canary', 'onFailure'], onFailure: plan.canary.onFailure, regions: [plan.canary.region], gates: plan.canary.gates.length },
    ...plan.waves.map((w, i) => ({
      path: ['waves', i, 'onFailure'] as PathSegment[],
      onFailure: w.onFailure,
      regions: w.regions,
      gates: w.gates.length,
    })),
  ];
  const problems: Problem[] = [];
  for (const stage of stages) {
    const blind = stage.gates > 0 ? stage.regions.filter((r) => byName.get(r)?.prometheus === null) : [];
    if (blind.length > 0) {
      problems.push({
        path: [...stage.path.slice(0, -1), 'gates'],
        message: `gates need a Prometheus, and ${blind.join(', ')} has none (set prometheus in regions.yaml, or under its defaults)`,
      });
    }
    if (stage.onFailure !== 'drain') continue;
    const without = stage.regions.filter((r) => byName.get(r)?.traffic.provider === 'none');
    if (without.length > 0) {
      problems.push({
        path: stage.path,
        message: `drain needs a traffic provider, and ${without.join(', ')} has none (set traffic in regions.yaml), or use rollback, rollback-region or pause`,
      });
    }
  }
  return problems;
}
