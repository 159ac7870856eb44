/**
 * Metrics around the engine's ports: Kubernetes calls (by region, verb, outcome) and
 * Prometheus queries (by region, outcome), each with its duration. The wrapped clients are
 * unchanged; the engine never sees prom-client.
 */
import type { Clusters, MetricsSource, MetricsSources, WorkloadClient } from '#application';
import { WorkloadError } from '#application';
import type { QueryOutcome, RecordedWorkload, RolloutObservation, ScrapeTiming, Workload } from '#domain';
import type { TidelineMetrics } from './tideline-metrics.js';

/** ok | 4xx | 5xx | timeout | error (connection refused, TLS…). */
export function kubeOutcome(err: unknown): string {
  if (err instanceof WorkloadError && err.status !== undefined) return `${Math.floor(err.status / 100)}xx`;
  const message = err instanceof Error ? err.message : String(err);
  return /timed out/.test(message) ? 'timeout' : 'error';
}

class InstrumentedWorkloads implements WorkloadClient {
  constructor(
    private readonly inner: WorkloadClient,
    private readonly region: string,
    private readonly metrics: TidelineMetrics,
  ) {}

  snapshot(w: Workload): Promise<RecordedWorkload> {
    return this.timed('get', () => this.inner.snapshot(w));
  }

  deploy(w: Workload, image: string, labels: Record<string, string>): Promise<void> {
    return this.timed('patch', () => this.inner.deploy(w, image, labels));
  }

  restore(recorded: RecordedWorkload, stampedLabelKeys: readonly string[]): Promise<void> {
    return this.timed('patch', () => this.inner.restore(recorded, stampedLabelKeys));
  }

  observe(w: Workload): Promise<RolloutObservation> {
    return this.timed('get', () => this.inner.observe(w));
  }

  private async timed<T>(verb: string, fn: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      return await fn();
    } catch (err) {
      outcome = kubeOutcome(err);
      throw err;
    } finally {
      const labels = { region: this.region, verb, outcome };
      this.metrics.kubeCalls.inc(labels);
      this.metrics.kubeDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}

/** One wrapper per region, made on first use. */
function perRegion<T>(make: (region: string) => T): (region: string) => T {
  const made = new Map<string, T>();
  return (region) => {
    if (!made.has(region)) made.set(region, make(region));
    return made.get(region)!;
  };
}

export class InstrumentedClusters implements Clusters {
  readonly forRegion: (region: string) => WorkloadClient;

  constructor(inner: Clusters, metrics: TidelineMetrics) {
    this.forRegion = perRegion((region) => new InstrumentedWorkloads(inner.forRegion(region), region, metrics));
  }
}

class InstrumentedSource implements MetricsSource {
  constructor(
    private readonly inner: MetricsSource,
    private readonly region: string,
    private readonly metrics: TidelineMetrics,
    private readonly scrapeTimes: boolean,
  ) {}

  async query(promql: string, opts: { timeoutMs: number }): Promise<QueryOutcome> {
    const started = process.hrtime.bigint();
    const outcome = await this.inner.query(promql, opts);
    const labels = {
      region: this.region,
      outcome: outcome.ok ? 'ok' : outcome.status !== undefined ? `${Math.floor(outcome.status / 100)}xx` : 'error',
    };
    this.metrics.promQueries.inc(labels);
    this.metrics.promDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    return outcome;
  }

  scrapeTiming(metrics: readonly string[]): Promise<ScrapeTiming | null> {
    return this.scrapeTimes && this.inner.scrapeTiming ? this.inner.scrapeTiming(metrics) : Promise.resolve(null);
  }
}

export class InstrumentedMetricsSources implements MetricsSources {
  readonly forRegion: (region: string) => MetricsSource;
  readonly groupByEndpoint?: (regions: readonly string[]) => string[][];

  /** `scrapeTimes: false` (TIDELINE_GATE_ALIGN=off) answers every scrapeTiming with null: gates keep their own timing. */
  constructor(inner: MetricsSources, metrics: TidelineMetrics, opts: { scrapeTimes?: boolean } = {}) {
    this.forRegion = perRegion((region) => new InstrumentedSource(inner.forRegion(region), region, metrics, opts.scrapeTimes !== false));
    // a batched gate query is counted once, under the first region it covers
    if (inner.groupByEndpoint) this.groupByEndpoint = inner.groupByEndpoint.bind(inner);
  }
}
