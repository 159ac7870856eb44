/** `bake: auto` resolved when a release is created, from the service's time-to-smoke history (PRODUCT.md "Learning from history"). */
import { needsAutoBake, resolveAutoBake, smokeStats, type PlanSnapshot } from '#domain';
import type { SmokeHistoryStore } from '#persistence';
import type { Clock } from '../ports.js';
import { SMOKE_HISTORY_DAYS } from './get-time-to-smoke.js';

const DAY_MS = 86_400_000;

/** Resolves `bake: auto` stages of a new release's plan snapshot from the service's history (overall). */
export class AutoBakeResolver {
  constructor(
    private readonly history: SmokeHistoryStore,
    private readonly clock: Clock,
  ) {}

  async resolve(plan: PlanSnapshot): Promise<PlanSnapshot> {
    if (!needsAutoBake(plan)) return plan;
    const since = new Date(this.clock.now().getTime() - SMOKE_HISTORY_DAYS * DAY_MS);
    const samples = await this.history.samples(plan.service, since);
    return resolveAutoBake(plan, smokeStats(samples.map((s) => s.delayMs)));
  }
}
