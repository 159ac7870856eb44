/**
 * What the use cases need from the outside world, one seam after the other, each interface beside
 * the error its implementations throw; implementations live in libs/integrations (one file each,
 * built by a factory table per seam).
 */
import type { QueryOutcome, RecordedWorkload, RolloutObservation, ScrapeTiming, Workload } from '#domain';

/** One region's Kubernetes workloads. */
export interface WorkloadClient {
  /** What runs now: image, pod template and Deployment labels (recorded before a deploy). */
  snapshot(workload: Workload): Promise<RecordedWorkload>;
  /** Set the container image and stamp the release labels. Safe to repeat. */
  deploy(workload: Workload, image: string, labels: Record<string, string>): Promise<void>;
  /** Put back exactly what was recorded, removing the given labels if they were not there. Safe to repeat. */
  restore(recorded: RecordedWorkload, stampedLabelKeys: readonly string[]): Promise<void>;
  observe(workload: Workload): Promise<RolloutObservation>;
}

export interface Clusters {
  /** Throws UnknownRegionError for a region without a cluster. */
  forRegion(region: string): WorkloadClient;
}

/** Thrown by Clusters.forRegion for a region no cluster is configured for. */
export class UnknownRegionError extends Error {
  constructor(region: string) {
    super(`no cluster is configured for region "${region}"`);
    this.name = 'UnknownRegionError';
  }
}

/** Thrown by WorkloadClient calls. `permanent` errors will not heal by retrying (404, 403, 422…). */
export class WorkloadError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WorkloadError';
  }
}

export interface Clock {
  now(): Date;
}

/** Enqueues a release's next step as a job with a deterministic id. */
export interface TickScheduler {
  enqueueTick(releaseId: string, seq: number, delayMs: number): Promise<void>;
}

/** Structured logger (pino-compatible). Never pass secrets. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** One Prometheus (or compatible) endpoint. Never throws: failures come back as `ok: false`. */
export interface MetricsSource {
  query(promql: string, opts: { timeoutMs: number }): Promise<QueryOutcome>;
  /**
   * When new samples of these metrics can be queried (their scrapes' interval and the end of
   * one), or null when unknown. Optional: without it gates keep their own timing. Never throws.
   */
  scrapeTiming?(metrics: readonly string[]): Promise<ScrapeTiming | null>;
}

export interface MetricsSources {
  forRegion(region: string): MetricsSource;
  /**
   * The given regions grouped by the Prometheus that answers them (same endpoint, same
   * credentials), so one query can cover a group. Optional: without it every region is queried
   * on its own.
   */
  groupByEndpoint?(regions: readonly string[]): string[][];
}

/** Moves a region's share of global traffic. Throws TrafficError on failure. */
export interface TrafficProvider {
  /** weight 0..100 */
  setWeight(region: string, weight: number): Promise<void>;
  /** the weight the provider reports for the region, or null when it cannot tell */
  getWeight(region: string): Promise<number | null>;
}

export interface TrafficProviders {
  /** null = the region has traffic provider `none` */
  forRegion(region: string): TrafficProvider | null;
}

/** A traffic provider call that did not do what was asked. `status` when the endpoint answered. */
export class TrafficError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** the endpoint's answer (truncated), when it answered */
    readonly body?: string,
  ) {
    super(message);
    this.name = 'TrafficError';
  }
}

/** Enqueues a region operation's next step as a job with a deterministic id. */
export interface RegionOperationScheduler {
  enqueueRegionOperation(operationId: string, seq: number, delayMs: number): Promise<void>;
}

/** Enqueues a drill's next step as a job with a deterministic id. */
export interface DrillScheduler {
  enqueueDrill(drillId: string, seq: number, delayMs: number): Promise<void>;
}

export interface RegionInfo {
  name: string;
  timeZone: string;
  tier: string;
  tags: string[];
  /** the region's traffic provider type (`none` when traffic cannot be moved) */
  trafficProvider: string;
}

/** The configured regions and what every service runs in each (from the configuration). */
export interface RegionDirectory {
  regions(): RegionInfo[];
  region(name: string): RegionInfo | undefined;
  workloads(region: string): Array<{ service: string; workloads: Workload[] }>;
}
