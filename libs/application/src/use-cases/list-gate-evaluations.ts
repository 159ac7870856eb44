/** Read side of gates: each watched gate's status for each region, and the stored evaluations. */
import { worstCaseBreachToActionMs, type BakeWindow, type GateSpec, type GateStatus } from '#domain';
import type { EvaluationFilter, GateEvaluationRecord, GateStore, ReleaseStore } from '#persistence';
import { NotFoundError } from '../errors.js';
import { stageGates } from '../engine/gate-timing.js';

export interface RegionGate {
  region: string;
  stage: string;
  spec: GateSpec;
  worstCaseBreachToActionMs: number;
  /** null until the region's bake has started */
  status: GateStatus | null;
  /** the region's bake window (rollout completed → bake end), null before it started */
  bake: BakeWindow | null;
}

export class ListGateEvaluations {
  constructor(
    private readonly store: ReleaseStore,
    private readonly gates: GateStore,
  ) {}

  async execute(id: string, filter: EvaluationFilter): Promise<{ gates: RegionGate[]; evaluations: GateEvaluationRecord[] }> {
    const release = await this.store.get(id);
    if (!release) throw new NotFoundError('release', id);
    const targets = await this.store.targets(id);
    const gates: RegionGate[] = [];
    for (const t of targets) {
      const stage = release.plan.stages[t.stageIndex]!;
      const bake = t.rolloutCompletedAt && t.bakeEndsAt ? { startMs: t.rolloutCompletedAt.getTime(), endMs: t.bakeEndsAt.getTime() } : null;
      for (const spec of stageGates(stage)) {
        if (filter.region && filter.region !== t.region) continue;
        if (filter.gate && filter.gate !== spec.name) continue;
        gates.push({
          region: t.region,
          stage: stage.name,
          spec,
          worstCaseBreachToActionMs: worstCaseBreachToActionMs(spec),
          status: t.gateStatus?.[spec.name] ?? null,
          bake,
        });
      }
    }
    return { gates, evaluations: await this.gates.evaluations(id, filter) };
  }
}
