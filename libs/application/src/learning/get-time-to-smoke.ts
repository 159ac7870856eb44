/**
 * Time-to-smoke per service and region from the history in Postgres, and the bakes it
 * recommends (PRODUCT.md "Learning from history"); auto-bake-resolver.ts uses the same history
 * to resolve `bake: auto` when a release is created.
 */
import type { TidelineConfig } from '#config';
import { MIN_SMOKE_FAILURES, recommendBake, smokeStats, type BakeRecommendation, type SmokeSample, type SmokeStats } from '#domain';
import type { SmokeHistoryStore } from '#persistence';
import { NotFoundError } from '../errors.js';
import type { Clock } from '../ports.js';

/** The seed's "past six months". */
export const SMOKE_HISTORY_DAYS = 180;
const DAY_MS = 86_400_000;

export interface SmokeGroup {
  stats: SmokeStats | null;
  recommendations: { twiceMean: BakeRecommendation; p95: BakeRecommendation };
  evidence: SmokeSample[];
}

export interface TimeToSmoke {
  service: string;
  since: Date;
  minFailures: number;
  defaultBakeMs: number;
  overall: SmokeGroup;
  regions: Array<{ region: string } & SmokeGroup>;
}

function group(samples: SmokeSample[], defaultMs: number): SmokeGroup {
  const stats = smokeStats(samples.map((s) => s.delayMs));
  return {
    stats,
    recommendations: { twiceMean: recommendBake(stats, 'twice-mean', { defaultMs }), p95: recommendBake(stats, 'p95', { defaultMs }) },
    evidence: samples,
  };
}

export class GetTimeToSmoke {
  constructor(
    private readonly config: TidelineConfig,
    private readonly history: SmokeHistoryStore,
    private readonly clock: Clock,
  ) {}

  /** The configured default bake of the service's plan: its `bake: auto` fallback, else its first wave's (or the canary's) bake. */
  defaultBakeMs(service: string): number {
    const plan = this.config.plans.get(this.config.services.get(service)?.plan ?? service);
    if (!plan) return 600_000;
    const stages = [plan.canary, ...plan.waves];
    return stages.find((s) => s.autoBake)?.autoBake?.fallbackMs ?? plan.waves[0]?.bakeMs ?? plan.canary.bakeMs;
  }

  async execute(service: string, days = SMOKE_HISTORY_DAYS): Promise<TimeToSmoke> {
    if (!this.config.services.has(service)) throw new NotFoundError('service', service);
    const since = new Date(this.clock.now().getTime() - days * DAY_MS);
    const samples = await this.history.samples(service, since);
    const defaultBakeMs = this.defaultBakeMs(service);
    const configured = this.config.regions.map((r) => r.name);
    const regions = [...new Set([...configured, ...samples.map((s) => s.region)])];
    return {
      service,
      since,
      minFailures: MIN_SMOKE_FAILURES,
      defaultBakeMs,
      overall: group(samples, defaultBakeMs),
      regions: regions.map((region) => ({
        region,
        ...group(
          samples.filter((s) => s.region === region),
          defaultBakeMs,
        ),
      })),
    };
  }
}
