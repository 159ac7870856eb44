/**
 * Tideline's own Prometheus metrics (prom-client): one registry per process. Labels are
 * bounded (service, region, stage, verdict, outcome, queue…) and never carry a release id.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; from a few ms (a patch) to many minutes (a drain, a slow delivery). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const CALL_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A gauge refreshed at scrape time: resolves labels → value, or throws (the gauge is then left empty). */
export type GaugeSource = () => Promise<Array<{ labels: Record<string, string>; value: number }>>;

export class TidelineMetrics {
  readonly registry = new Registry();

  readonly transitions = this.counter('tideline_release_transitions_total', 'Release and region events committed, by event type', [
    'service',
    'type',
  ]);
  // Region-level counters carry no service label: services × regions × steps is ~100,000 series
  // at 1,000 services and 20 regions (34 MiB of heap per worker, 12 MB and >1 s of blocked event
  // loop per scrape). Per service: tideline_release_transitions_total; per service and region: the API.
  readonly regionSteps = this.counter(
    'tideline_region_steps_total',
    'Region state changes committed by the engine, by step (the event type)',
    ['region', 'step'],
  );
  readonly gateEvaluations = this.counter('tideline_gate_evaluations_total', 'Gate evaluations stored, by verdict', [
    'region',
    'stage',
    'verdict',
  ]);
  readonly verdictToAction = this.histogram(
    'tideline_gate_verdict_to_action_seconds',
    'From the gate verdict that failed a region to the start of the failure action (first rollback patch, traffic weight set to 0, or pause)',
    ['service', 'action'],
    LATENCY_BUCKETS,
  );
  readonly breachToRollback = this.histogram(
    'tideline_breach_to_rollback_patch_seconds',
    "From a release's first failing gate evaluation to its first rollback patch",
    ['service'],
    LATENCY_BUCKETS,
  );
  readonly kubeCalls = this.counter('tideline_kubernetes_requests_total', 'Kubernetes API calls, by region, verb and outcome', [
    'region',
    'verb',
    'outcome',
  ]);
  readonly kubeDuration = this.histogram(
    'tideline_kubernetes_request_duration_seconds',
    'Kubernetes API call duration',
    ['region', 'verb', 'outcome'],
    CALL_BUCKETS,
  );
  readonly promQueries = this.counter(
    'tideline_prometheus_queries_total',
    'Prometheus queries (gates, alerts, request rates), by region and outcome',
    ['region', 'outcome'],
  );
  readonly promDuration = this.histogram(
    'tideline_prometheus_query_duration_seconds',
    'Prometheus query duration',
    ['region', 'outcome'],
    CALL_BUCKETS,
  );
  readonly jobWait = this.histogram(
    'tideline_job_wait_seconds',
    'From when a job was due to when a worker took it',
    ['queue', 'job'],
    LATENCY_BUCKETS,
  );
  readonly jobRun = this.histogram(
    'tideline_job_run_seconds',
    'How long a job ran, by outcome',
    ['queue', 'job', 'outcome'],
    LATENCY_BUCKETS,
  );
  readonly notificationDeliveries = this.counter(
    'tideline_notification_deliveries_total',
    'Notification delivery attempts that ended, by status (sent, retry, rate_limited, dead)',
    ['status'],
  );
  readonly drainDuration = this.histogram(
    'tideline_drain_duration_seconds',
    "From a region's weight set to 0 until its request rate fell under the drained fraction (or the drain ended)",
    ['region', 'kind', 'outcome'],
    [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
  );
  readonly scrapeErrors = this.counter(
    'tideline_metrics_collect_errors_total',
    'Scrape-time gauges that could not be read (Postgres or Redis down)',
    ['source'],
  );

  constructor(defaults = true) {
    if (defaults) {
      collectDefaultMetrics({ register: this.registry });
      // gauges named *_total (promtool refuses them); nodejs_active_{handles,requests,resources} say the same
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
        this.registry.removeSingleMetric(name);
    }
  }

  /**
   * A gauge whose values come from `source` at each scrape, bounded by `timeoutMs`. When the
   * source fails the gauge is empty and tideline_metrics_collect_errors_total counts it (families
   * are collected concurrently, so the count shows from the next scrape).
   */
  gauge(name: string, help: string, labelNames: string[], sourceName: string, source: GaugeSource, timeoutMs = 2_000): Gauge<string> {
    const errors = this.scrapeErrors;
    const gauge = new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const { labels, value } of await withTimeout(source(), timeoutMs, `${sourceName} did not answer within ${timeoutMs}ms`))
            this.set(labels, value);
        } catch {
          errors.inc({ source: sourceName });
        }
      },
    });
    return gauge;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private counter(name: string, help: string, labelNames: string[]): Counter<string> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram(name: string, help: string, labelNames: string[], buckets: number[]): Histogram<string> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
