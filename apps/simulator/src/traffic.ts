/**
 * The traffic model: every region has a base request rate and latency; the global load balancer
 * spreads the global total (the sum of the base rates) over the regions by weight; inside a
 * region every deployment serves the region's effective rate, split between its versions by
 * ready pods. Counters are integrated lazily and deterministically (expected values, no
 * randomness), piecewise between the moments where something changes, up to the clock's now.
 */
import { RegionAlerts } from './alerts.js';
import { desiredReplicas, type StoredDeployment } from './deployment.js';
import { LoadBalancer } from './load-balancer.js';
import type { DeploymentStatus } from './rollout.js';
import { SeriesStore } from './series.js';
import { nextStatusChange, VersionTracker } from './version-tracker.js';
import { VersionFaults, type VersionFault, type VersionFaultSpec } from './version-faults.js';

export interface RegionTraffic {
  /** Requests per second the region gets when every weight is equal (default 20). */
  rps?: number;
  /** Median latency in ms before faults (default 50). */
  latencyMs?: number;
}

export interface TrafficOptions {
  rps: number;
  latencyMs: number;
  regions: Record<string, RegionTraffic>;
  lbRampMs: number;
}

export interface TrafficSource {
  readonly config: { readonly stepMs: number };
  regionNames(): string[];
  list(region: string): StoredDeployment[];
  statusOf(d: StoredDeployment, at: number): DeploymentStatus;
}

export interface RegionTrafficState {
  region: string;
  rps: number;
  latencyMs: number;
  weight: number;
  targetWeight: number;
  effectiveRps: number;
}

export class TrafficError extends Error {}

const depKey = (region: string, d: StoredDeployment): string => `${region}\u0000${d.namespace}\u0000${d.name}`;
const arrivalKey = (region: string, namespace: string, deployment: string, version: string): string =>
  `${region}\u0000${namespace}\u0000${deployment}\u0000${version}`;

/** Sub-interval length used to integrate while a weight ramps (the rate is not constant then). */
const RAMP_SLICE_MS = 20;

export function checkRegionTraffic(spec: RegionTraffic): void {
  if (spec.rps !== undefined && !(Number.isFinite(spec.rps) && spec.rps >= 0)) {
    throw new TrafficError('"rps" must be a non-negative number');
  }
  if (spec.latencyMs !== undefined && !(Number.isFinite(spec.latencyMs) && spec.latencyMs >= 0)) {
    throw new TrafficError('"latencyMs" must be a non-negative number');
  }
}

export class TrafficModel {
  readonly lb: LoadBalancer;
  readonly faults = new VersionFaults();
  readonly series = new SeriesStore();
  readonly alerts: RegionAlerts;
  private readonly tracker = new VersionTracker();
  private base = new Map<string, { rps: number; latencyMs: number }>();
  /** region/namespace/deployment/version → when its first replica became ready. */
  private arrivals = new Map<string, number>();
  private cursors = new Map<string, { uid: string; at: number }>();
  private resetAt = 0;

  constructor(
    private readonly source: TrafficSource,
    private readonly regions: readonly string[],
    private readonly options: TrafficOptions,
  ) {
    checkRegionTraffic({ rps: options.rps, latencyMs: options.latencyMs });
    if (!(Number.isFinite(options.lbRampMs) && options.lbRampMs >= 0)) throw new TrafficError('lbRampMs must be >= 0');
    for (const [region, spec] of Object.entries(options.regions)) {
      if (!regions.includes(region)) throw new TrafficError(`traffic for unknown region "${region}"`);
      checkRegionTraffic(spec);
    }
    this.lb = new LoadBalancer(regions, options.lbRampMs);
    this.alerts = new RegionAlerts(regions);
  }

  /** Back to the configured traffic, full weights, no faults, no alerts, no counters. */
  reset(now: number): void {
    this.base = new Map(
      this.regions.map((r) => {
        const o = this.options.regions[r] ?? {};
        return [r, { rps: o.rps ?? this.options.rps, latencyMs: o.latencyMs ?? this.options.latencyMs }];
      }),
    );
    this.lb.reset(now);
    this.faults.clear();
    this.series.clear();
    this.tracker.clear();
    this.arrivals.clear();
    this.alerts.clear();
    this.cursors.clear();
    this.resetAt = now;
  }

  setTraffic(region: string, spec: RegionTraffic, now: number): RegionTrafficState {
    const b = this.base.get(region);
    if (!b) throw new TrafficError(`unknown region "${region}"`);
    checkRegionTraffic(spec);
    this.advance(now);
    if (spec.rps !== undefined) b.rps = spec.rps;
    if (spec.latencyMs !== undefined) b.latencyMs = spec.latencyMs;
    return this.regionState(region, now);
  }

  setWeight(region: string, weight: number, now: number): void {
    if (!this.lb.has(region)) throw new TrafficError(`unknown region "${region}"`);
    if (!(Number.isFinite(weight) && weight >= 0 && weight <= 100)) throw new TrafficError('"weight" must be a number from 0 to 100');
    this.advance(now);
    this.lb.set(region, weight, now);
  }

  addFault(spec: VersionFaultSpec, now: number): VersionFault {
    this.advance(now);
    return this.faults.add(spec);
  }

  clearFaults(now: number): void {
    this.advance(now);
    this.faults.clear();
  }

  setAlert(region: string, alert: string, firing: boolean): void {
    if (!this.base.has(region)) throw new TrafficError(`unknown region "${region}"`);
    if (alert === '') throw new TrafficError('"alert" must be a non-empty string');
    this.alerts.set(region, alert, firing);
  }

  /** The effective request rate of every region at `t`. */
  ratesAt(t: number): Map<string, number> {
    let total = 0;
    let weighted = 0;
    for (const r of this.regions) {
      const rps = this.base.get(r)?.rps ?? 0;
      total += rps;
      weighted += (rps * this.lb.weightAt(r, t)) / 100;
    }
    return new Map(
      this.regions.map((r) => {
        const share = weighted > 0 ? ((this.base.get(r)?.rps ?? 0) * this.lb.weightAt(r, t)) / 100 / weighted : 0;
        return [r, total * share];
      }),
    );
  }

  regionRps(region: string, t: number): number {
    if (!this.base.has(region)) throw new TrafficError(`unknown region "${region}"`);
    return this.ratesAt(t).get(region) ?? 0;
  }

  regionState(region: string, now: number): RegionTrafficState {
    const b = this.base.get(region);
    if (!b) throw new TrafficError(`unknown region "${region}"`);
    const lb = this.lb.entry(region, now);
    return {
      region,
      rps: b.rps,
      latencyMs: b.latencyMs,
      weight: lb.weight,
      targetWeight: lb.targetWeight,
      effectiveRps: this.regionRps(region, now),
    };
  }

  /** Requests each region receives in [a, b] (ms). */
  private requestsIn(a: number, b: number): Map<string, number> {
    if (!this.lb.rampingWithin(a, b)) {
      const rates = this.ratesAt((a + b) / 2);
      return new Map([...rates].map(([r, rps]) => [r, (rps * (b - a)) / 1000]));
    }
    const n = Math.max(1, Math.ceil((b - a) / RAMP_SLICE_MS));
    const out = new Map<string, number>(this.regions.map((r) => [r, 0]));
    const width = (b - a) / n;
    for (let i = 0; i < n; i += 1) {
      for (const [r, rps] of this.ratesAt(a + (i + 0.5) * width)) out.set(r, (out.get(r) ?? 0) + (rps * width) / 1000);
    }
    return out;
  }

  /** Integrates the counters of every deployment up to `until`. */
  advance(until: number): void {
    const cache = new Map<string, Map<string, number>>();
    for (const region of this.regions) for (const d of this.source.list(region)) this.advanceDeployment(region, d, until, cache);
  }

  /** Starts counting a deployment that was just created or replaced (call after `beforeChange`). */
  added(region: string, d: StoredDeployment, now: number): void {
    this.cursors.set(depKey(region, d), { uid: d.uid, at: now });
  }

  /** Call right before a deployment's spec changes: integrates it up to `now` under the old spec. */
  beforeChange(region: string, d: StoredDeployment, now: number): void {
    this.advanceDeployment(region, d, now, new Map());
    this.observe(region, d, now);
  }

  /** Ready pods per version at `t` (remembering the versions' arrival times). */
  private observe(region: string, d: StoredDeployment, t: number): { pods: Map<string, number>; total: number } {
    const pods = this.tracker.podsByVersion(region, d, this.source.statusOf(d, t), t);
    let total = 0;
    for (const [version, n] of pods) {
      total += n;
      const key = arrivalKey(region, d.namespace, d.name, version);
      if (!this.arrivals.has(key)) this.arrivals.set(key, t);
    }
    return { pods, total };
  }

  private advanceDeployment(region: string, d: StoredDeployment, until: number, cache: Map<string, Map<string, number>>): void {
    let cursor = this.cursors.get(depKey(region, d));
    if (!cursor || cursor.uid !== d.uid) {
      cursor = { uid: d.uid, at: Math.max(cursor?.at ?? this.resetAt, this.resetAt) };
      this.cursors.set(depKey(region, d), cursor);
    }
    const stepMs = this.source.config.stepMs;
    const desired = desiredReplicas(d.spec);
    const latencyMs = this.base.get(region)?.latencyMs ?? 0;
    while (cursor.at < until) {
      const t = cursor.at;
      let next = Math.min(until, nextStatusChange(d, t, stepMs, desired));
      for (const bp of this.lb.breakpointsAfter(t)) next = Math.min(next, bp);
      const { pods, total } = this.observe(region, d, t);
      for (const version of pods.keys()) {
        const arrivedAt = this.arrivals.get(arrivalKey(region, d.namespace, d.name, version)) ?? t;
        for (const bp of this.faults.startsAfter(region, version, arrivedAt, t)) next = Math.min(next, bp);
      }
      const span = `${t}:${next}`;
      let requests = cache.get(span);
      if (!requests) {
        requests = this.requestsIn(t, next);
        cache.set(span, requests);
      }
      const regionRequests = requests.get(region) ?? 0;
      const mid = (t + next) / 2;
      if (total > 0 && regionRequests > 0) {
        for (const [version, n] of pods) {
          const effect = this.faults.effect(region, version, this.arrivals.get(arrivalKey(region, d.namespace, d.name, version)), mid);
          const medianMs = latencyMs * effect.latencyFactor + effect.addedLatencyMs;
          const labels = { region, namespace: d.namespace, deployment: d.name, version };
          this.series.add(labels, (regionRequests * n) / total, effect.errorRate, medianMs / 1000);
        }
      }
      cursor.at = next;
    }
  }

  /** When `version` of `namespace/deployment` first had a ready replica in `region`. */
  arrivedAt(region: string, namespace: string, deployment: string, version: string): number | undefined {
    return this.arrivals.get(arrivalKey(region, namespace, deployment, version));
  }
}
