/**
 * In-memory Prometheus (the engine's `MetricsSources` port). The test says what a query answers
 * in a region: a number (one series), null (an empty vector), 'error' (Prometheus unreachable),
 * or a function of the moment asked. A rule matches when the rendered PromQL contains its text;
 * the newest matching rule wins; a query no rule matches answers an empty vector (no alert
 * firing, an inconclusive gate). Every query is logged.
 */
import type { QueryOutcome, ScrapeTiming } from '#domain';
import type { Clock, MetricsSource, MetricsSources } from '#application';

export type MetricValue = number | null | 'error';
export type MetricAnswer = MetricValue | ((atMs: number) => MetricValue);

export interface MetricQuery {
  region: string;
  query: string;
  atMs: number;
}

interface Rule {
  region: string;
  contains: string;
  answer: MetricAnswer;
}

/** Every region. */
export const ANY_REGION = '*';

export class FakeMetrics implements MetricsSources {
  readonly queries: MetricQuery[] = [];
  private readonly rules: Rule[] = [];
  /** what `scrapeTiming` answers (when this Prometheus scrapes); undefined: the source cannot tell, as before */
  scrape: ScrapeTiming | null | undefined = undefined;
  /** the metric names each `scrapeTiming` call asked about */
  readonly scrapeAsks: string[][] = [];

  constructor(private readonly clock: Clock) {}

  /** From now on, queries in `region` (or ANY_REGION) whose PromQL contains `contains` answer `answer`. */
  set(region: string, contains: string, answer: MetricAnswer): this {
    this.rules.unshift({ region, contains, answer });
    return this;
  }

  /** Queries asked in `region` whose PromQL contains `contains`. */
  asked(region: string, contains: string): MetricQuery[] {
    return this.queries.filter((q) => q.region === region && q.query.includes(contains));
  }

  forRegion(region: string): MetricsSource {
    const source: MetricsSource = { query: async (promql) => this.answer(region, promql) };
    if (this.scrape !== undefined) source.scrapeTiming = async (metrics) => (this.scrapeAsks.push([...metrics]), this.scrape ?? null);
    return source;
  }

  private answer(region: string, query: string): QueryOutcome {
    const atMs = this.clock.now().getTime();
    this.queries.push({ region, query, atMs });
    const rule = this.rules.find((r) => (r.region === region || r.region === ANY_REGION) && query.includes(r.contains));
    const value = rule === undefined ? null : typeof rule.answer === 'function' ? rule.answer(atMs) : rule.answer;
    if (value === 'error') return { ok: false, error: `fake prometheus for ${region}: connection refused`, durationMs: 1 };
    const series = value === null ? [] : [{ labels: { region }, value }];
    return { ok: true, result: { kind: 'vector', series }, durationMs: 1 };
  }
}
