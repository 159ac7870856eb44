/**
 * The Prometheus queries of one gate round, collected and then sent together: the same gate
 * in regions answered by one Prometheus becomes one query (`region=~"a|b|c"`, grouped by
 * region; see planRegionBatch in the domain), split back per region (splitByRegion), and
 * identical queries to one Prometheus are sent once. A query that does not qualify, regions
 * whose sources cannot tell they share a Prometheus, or a batched answer that cannot be
 * attributed all fall back to one query per region: the verdicts are those of per-region queries.
 */
import {
  isPlainRegion,
  planRegionBatch,
  REGION_SENTINEL,
  renderQuery,
  splitByRegion,
  type QueryOutcome,
  type RegionBatchPlan,
  type TemplateVars,
} from '#domain';
import type { MetricsSources } from '../ports.js';

interface Pending {
  region: string;
  /** the template and its variables, when the query may join other regions' in one */
  template: { text: string; vars: TemplateVars } | null;
  query: string;
  timeoutMs: number;
  resolve(outcome: QueryOutcome): void;
}

/** Plans by template and variables (but the region): gates repeat every interval, their plans do not change. */
const plans = new Map<string, RegionBatchPlan>();
const MAX_PLANS = 1000;

function batchPlan(text: string, vars: TemplateVars): RegionBatchPlan {
  const key = JSON.stringify([text, { ...vars, region: '' }]);
  const known = plans.get(key);
  if (known) return known;
  let plan: RegionBatchPlan;
  try {
    plan = planRegionBatch(renderQuery(text, { ...vars, region: REGION_SENTINEL }));
  } catch {
    plan = { ok: false, reason: 'the template does not render' };
  }
  if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value!);
  plans.set(key, plan);
  return plan;
}

export class GateQueryRound {
  private pending: Pending[] = [];

  constructor(
    private readonly metrics: MetricsSources,
    private readonly onFallback: (reason: string, regions: readonly string[]) => void = () => undefined,
  ) {}

  /**
   * The answer to `query` (the region's own rendering of `template`). Every query asked before
   * the current synchronous run ends is sent together on the next microtask.
   */
  query(
    region: string,
    template: { text: string; vars: TemplateVars } | null,
    query: string,
    opts: { timeoutMs: number },
  ): Promise<QueryOutcome> {
    return new Promise((resolve) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flush());
      this.pending.push({ region, template, query, timeoutMs: opts.timeoutMs, resolve });
    });
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = [];
    const regions = [...new Set(pending.map((p) => p.region))];
    const groups = this.metrics.groupByEndpoint?.(regions) ?? regions.map((r) => [r]);
    const endpointOf = new Map<string, number>();
    groups.forEach((g, i) => g.forEach((r) => endpointOf.set(r, i)));
    const endpoint = (r: string) => endpointOf.get(r) ?? `alone:${r}`;

    const batches = new Map<string, Pending[]>();
    const singles: Pending[] = [];
    for (const p of pending) {
      if (p.template === null || !isPlainRegion(p.region)) {
        singles.push(p);
        continue;
      }
      const { region: _region, ...rest } = p.template.vars;
      const key = JSON.stringify([endpoint(p.region), p.timeoutMs, p.template.text, rest]);
      const list = batches.get(key) ?? [];
      list.push(p);
      batches.set(key, list);
    }
    for (const list of batches.values()) {
      if (new Set(list.map((p) => p.region)).size < 2) singles.push(...list);
      else this.sendBatch(list, singles);
    }
    this.sendSingles(singles, endpoint);
  }

  /** Same Prometheus and same text: one query, one answer for all who asked. */
  private sendSingles(list: readonly Pending[], endpoint: (region: string) => number | string): void {
    const sent = new Map<string, Promise<QueryOutcome>>();
    for (const p of list) {
      const key = JSON.stringify([endpoint(p.region), p.timeoutMs, p.query]);
      let answer = sent.get(key);
      if (!answer) {
        answer = this.metrics.forRegion(p.region).query(p.query, { timeoutMs: p.timeoutMs });
        sent.set(key, answer);
      }
      void answer.then(p.resolve);
    }
  }

  private sendBatch(list: Pending[], singles: Pending[]): void {
    const first = list[0]!;
    const template = first.template!;
    const plan = batchPlan(template.text, template.vars);
    if (!plan.ok) {
      singles.push(...list);
      return;
    }
    const regions = [...new Set(list.map((p) => p.region))];
    const batched = plan.build(regions);
    const { label, stripLabel } = plan;
    void this.metrics
      .forRegion(first.region)
      .query(batched, { timeoutMs: first.timeoutMs })
      .then((outcome) => {
        const split = splitByRegion(outcome, regions, label, stripLabel);
        if (split.ok) {
          for (const p of list) p.resolve(split.byRegion.get(p.region)!);
          return;
        }
        this.onFallback(split.reason, regions);
        this.sendSingles(list, (r) => `fallback:${r}`);
      });
  }
}
