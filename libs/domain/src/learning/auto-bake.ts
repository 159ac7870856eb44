/** `bake: auto`: a plan snapshot's auto stages get the bake their service's time-to-smoke recommends, with the reason. */
import type { PlanSnapshot } from '../plan.js';
import { recommendBake, type SmokeStats } from './time-to-smoke.js';

/** Whether any stage of the snapshot asks for `bake: auto`. */
export function needsAutoBake(plan: PlanSnapshot): boolean {
  return plan.stages.some((s) => s.autoBake !== undefined);
}

/** A new snapshot whose `bake: auto` stages carry the resolved bakeMs and bakeReason (frozen with the release). */
export function resolveAutoBake(plan: PlanSnapshot, stats: SmokeStats | null, minFailures?: number): PlanSnapshot {
  return {
    ...plan,
    stages: plan.stages.map((stage) => {
      const auto = stage.autoBake;
      if (!auto) return stage;
      const rec = recommendBake(stats, auto.rule, {
        defaultMs: auto.fallbackMs,
        bounds: { minMs: auto.minMs, maxMs: auto.maxMs },
        prefix: 'auto: ',
        ...(minFailures !== undefined ? { minFailures } : {}),
      });
      return { ...stage, bakeMs: rec.bakeMs, bakeReason: rec.reason };
    }),
  };
}
