/**
 * `POST /v1/plans/propose`: the wave planner over the configured regions, with each region's
 * request rate measured in its Prometheus (its traffic rateQuery) when it has one, answered
 * with the reasons and as YAML ready to save under config/plans/.
 */
import { Document } from 'yaml';
import type { TidelineConfig } from '#config';
import { proposePlan, type PlannerRegion, type ProposedPlan } from '#domain';
import { ValidationError } from '../errors.js';
import type { Logger, MetricsSources } from '../ports.js';
import type { DrainSettings } from '../engine/drainer.js';
import { requestRate } from '../engine/request-rate.js';
import { describeError } from '../errors.js';

export interface PlanProposal {
  service: string;
  plan: ProposedPlan;
  /** each region's measured rate (null: not measured, the tier is used) */
  traffic: Array<{ region: string; tier: string; tags: string[]; timeZone: string; requestRate: number | null }>;
  yaml: string;
  path: string;
}

/** Rates are measured with this bound, so one slow Prometheus cannot hold the answer. */
const RATE_TIMEOUT_MS = 3_000;

export class ProposePlan {
  constructor(
    private readonly config: TidelineConfig,
    private readonly metrics: MetricsSources,
    private readonly settingsFor: (region: string) => DrainSettings,
    private readonly log: Logger,
  ) {}

  async execute(req: { service: string; regions?: string[] | undefined }): Promise<PlanProposal> {
    const service = this.config.services.get(req.service);
    if (!service) {
      throw new ValidationError([
        {
          field: 'service',
          message: `unknown service "${req.service}" (known: ${[...this.config.services.keys()].join(', ') || 'none configured'})`,
        },
      ]);
    }
    const names = req.regions ?? this.config.regions.map((r) => r.name);
    const problems = names.flatMap((name, i) =>
      this.config.regionsByName.has(name)
        ? []
        : [{ field: `regions[${i}]`, message: `unknown region "${name}" (known: ${[...this.config.regionsByName.keys()].join(', ')})` }],
    );
    const dup = names.findIndex((n, i) => names.indexOf(n) !== i);
    if (dup >= 0) problems.push({ field: `regions[${dup}]`, message: `region "${names[dup]}" is listed twice` });
    if (problems.length > 0) throw new ValidationError(problems);
    const regions: PlannerRegion[] = await Promise.all(
      names.map(async (name) => {
        const r = this.config.regionsByName.get(name)!;
        return {
          name,
          tier: r.traits.tier,
          tags: [...r.traits.tags],
          timeZone: r.timeZone,
          requestRate: r.prometheus ? await this.rate(name) : null,
        };
      }),
    );
    const current = this.config.plans.get(service.plan);
    const plan = proposePlan(regions, current?.canary.region);
    return {
      service: service.name,
      plan,
      traffic: regions.map((r) => ({ region: r.name, tier: r.tier, tags: [...r.tags], timeZone: r.timeZone, requestRate: r.requestRate })),
      yaml: planYaml(service.name, plan),
      path: `config/plans/${service.name}.yaml`,
    };
  }

  private async rate(region: string): Promise<number | null> {
    const s = this.settingsFor(region);
    if (s.rateQuery === undefined) return null;
    try {
      return await requestRate(
        this.metrics.forRegion(region),
        s.rateQuery,
        { region, service: '', namespace: '', version: '', previousVersion: '' },
        s.windowMs,
        Math.min(s.timeoutMs, RATE_TIMEOUT_MS),
      );
    } catch (err) {
      this.log.warn({ region, err: describeError(err) }, 'plan proposal: rate query failed');
      return null;
    }
  }
}

/** The proposal as a plan file, each placement's reason as a comment. Bake: auto (time-to-smoke) within 10m–4h. */
export function planYaml(service: string, plan: ProposedPlan): string {
  const doc = new Document({
    name: service,
    defaults: { bake: 'auto', autoBake: { min: '10m', max: '4h', rule: 'twice-mean' } },
    canary: { region: plan.canary.region },
    waves: plan.waves.map((w) => ({ name: w.name, regions: w.regions.map((r) => r.region), maxParallel: w.maxParallel })),
  });
  doc.commentBefore = ` Proposed by Tideline's wave planner for ${service}: review, add gates, save as config/plans/${service}.yaml`;
  const canary = doc.get('canary', true) as { commentBefore?: string } | undefined;
  if (canary) canary.commentBefore = ` ${plan.canary.reason}`;
  plan.waves.forEach((w, i) => {
    const node = doc.getIn(['waves', i], true) as { commentBefore?: string } | undefined;
    if (node) node.commentBefore = ` ${w.reason}`;
  });
  return doc.toString({ lineWidth: 0 });
}
