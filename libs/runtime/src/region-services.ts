/**
 * Per-region metrics sources and traffic providers, built from regions.yaml through the
 * integrations' registries (which throw on an unknown type). Secrets go into headers only.
 */
import { createHash } from 'node:crypto';
import type { QueryOutcome } from '#domain';
import type { MetricsSource, MetricsSources, TrafficProvider, TrafficProviders } from '#application';
import type { RegionConfig, TidelineConfig } from '#config';
import { createMetricsSource, createTrafficProvider, kubeConfigFor } from '#integrations';

class MissingSource implements MetricsSource {
  constructor(private readonly region: string) {}
  async query(): Promise<QueryOutcome> {
    return { ok: false, error: `no prometheus is configured for region ${this.region} (set prometheus in regions.yaml)`, durationMs: 0 };
  }
}

export class RegionMetricsSources implements MetricsSources {
  private readonly byRegion = new Map<string, MetricsSource>();
  readonly groupByEndpoint?: (regions: readonly string[]) => string[][];

  /** `batch: false`: regions are never grouped, every gate query covers one region (TIDELINE_GATE_BATCH=off). */
  constructor(regions: readonly RegionConfig[], opts: { batch?: boolean } = {}) {
    const byUrl = new Map<string, MetricsSource>();
    for (const r of regions) {
      if (!r.prometheus) {
        this.byRegion.set(r.name, new MissingSource(r.name));
        continue;
      }
      const token = r.prometheus.bearerToken;
      // regions share a client only with the same URL and the same token (a digest: keys are not secret-free otherwise)
      const key = `${r.prometheus.url} ${token ? createHash('sha256').update(token.reveal()).digest('hex') : ''}`;
      const source =
        byUrl.get(key) ??
        createMetricsSource({
          type: 'prometheus',
          url: r.prometheus.url,
          ...(token ? { headers: { Authorization: `Bearer ${token.reveal()}` } } : {}),
        });
      byUrl.set(key, source);
      this.byRegion.set(r.name, source);
    }
    if (opts.batch !== false) this.groupByEndpoint = (names) => groupBySource(names, (name) => this.byRegion.get(name));
  }

  forRegion(region: string): MetricsSource {
    return this.byRegion.get(region) ?? new MissingSource(region);
  }
}

/** Regions answered by one client (one Prometheus, one credential) together; a region without one alone. */
function groupBySource(regions: readonly string[], sourceOf: (region: string) => MetricsSource | undefined): string[][] {
  const groups = new Map<MetricsSource | string, string[]>();
  for (const r of regions) {
    const source = sourceOf(r);
    const key = source && !(source instanceof MissingSource) ? source : `alone:${r}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()];
}

export class RegionTrafficProviders implements TrafficProviders {
  private readonly byRegion = new Map<string, TrafficProvider | null>();

  constructor(regions: readonly RegionConfig[], kubeconfigPath?: string) {
    for (const r of regions) {
      const t = r.traffic;
      const gateway = gatewayOptions(r, regions, kubeconfigPath);
      this.byRegion.set(
        r.name,
        createTrafficProvider({
          type: t.provider,
          ...(t.url !== undefined ? { url: t.url } : {}),
          ...(t.token ? { token: t.token.reveal() } : {}),
          ...(t.secret ? { secret: t.secret.reveal() } : {}),
          ...(gateway ? { gateway } : {}),
          timeoutMs: t.timeoutMs,
        }),
      );
    }
  }

  forRegion(region: string): TrafficProvider | null {
    return this.byRegion.get(region) ?? null;
  }
}

/** This region's backendRef name on its gateway-api route: backendRef, else backendRefs[region], else the region's name. */
export function backendRefOf(r: RegionConfig): string | undefined {
  const g = r.traffic.gateway;
  return g ? (g.backendRef ?? g.backendRefs[r.name] ?? r.name) : undefined;
}

/** gateway-api: the edge cluster (a kubeconfig built like a region's), the route and every backendRef managed on it. */
function gatewayOptions(r: RegionConfig, regions: readonly RegionConfig[], kubeconfigPath?: string) {
  const g = r.traffic.gateway;
  if (r.traffic.provider !== 'gateway-api' || !g) return undefined;
  const sameRoute = regions.filter((o) => o.traffic.gateway?.namespace === g.namespace && o.traffic.gateway.route === g.route);
  return {
    kubeConfig: kubeConfigFor({ ...r, kubernetes: g.kubernetes }, kubeconfigPath),
    namespace: g.namespace,
    route: g.route,
    backendRef: backendRefOf(r) ?? r.name,
    managed: [...new Set(sameRoute.map((o) => backendRefOf(o) ?? o.name))],
  };
}

export function regionRules(config: TidelineConfig) {
  return (region: string) => {
    const r = config.regionsByName.get(region);
    return r ? { timeZone: r.timeZone, deploymentWindow: r.deploymentWindow, checkAlerts: r.prometheus !== null } : undefined;
  };
}

export function drainSettings(config: TidelineConfig) {
  return (region: string) => {
    const t = config.regionsByName.get(region)?.traffic;
    return {
      ...(t?.rateQuery !== undefined ? { rateQuery: t.rateQuery } : {}),
      drainedFraction: t?.drainedFraction ?? 0.01,
      drainTimeoutMs: t?.drainTimeoutMs ?? 600_000,
      windowMs: t?.windowMs ?? 15_000,
      timeoutMs: t?.timeoutMs ?? 5_000,
    };
  };
}
