/**
 * regions.yaml's metrics sources and traffic providers per region, through each seam's one
 * per-region builder (which refuses unknown types); clusters are KubernetesClusters. Production
 * (the composition root) and tests call these same functions. Secrets go into headers only.
 */
import type { MetricsSources, TrafficProviders } from '#application';
import type { RegionConfig } from '#config';
import { kubeConfigFor } from '../kubernetes/clusters.js';
import { createMetricsSources, type MetricsSourceConfig } from '../prometheus/registry.js';
import { createTrafficProviders, type TrafficProviderConfig } from '../traffic/registry.js';
import type { GatewayApiTrafficOptions } from '../traffic/gateway-api.js';

/**
 * A region without `prometheus` gets a source that answers every query with an error.
 * `batch: false` (TIDELINE_GATE_BATCH=off): every gate query covers one region.
 */
export function regionMetricsSources(regions: readonly RegionConfig[], opts: { batch?: boolean } = {}): MetricsSources {
  return createMetricsSources(new Map(regions.map((r) => [r.name, metricsSourceConfig(r)])), opts);
}

export function regionTrafficProviders(regions: readonly RegionConfig[], kubeconfigPath?: string): TrafficProviders {
  return createTrafficProviders(new Map(regions.map((r) => [r.name, trafficProviderConfig(r, regions, kubeconfigPath)])));
}

export function metricsSourceConfig(r: RegionConfig): MetricsSourceConfig | null {
  if (!r.prometheus) return null;
  const token = r.prometheus.bearerToken;
  return { type: 'prometheus', url: r.prometheus.url, ...(token ? { headers: { Authorization: `Bearer ${token.reveal()}` } } : {}) };
}

export function trafficProviderConfig(r: RegionConfig, regions: readonly RegionConfig[], kubeconfigPath?: string): TrafficProviderConfig {
  const t = r.traffic;
  const gateway = gatewayOptions(r, regions, kubeconfigPath);
  return {
    type: t.provider,
    ...(t.url !== undefined ? { url: t.url } : {}),
    ...(t.token ? { token: t.token.reveal() } : {}),
    ...(t.secret ? { secret: t.secret.reveal() } : {}),
    ...(gateway ? { gateway } : {}),
    timeoutMs: t.timeoutMs,
  };
}

/** This region's backendRef name on its gateway-api route: backendRef, else backendRefs[region], else the region's name. */
export function backendRefOf(r: RegionConfig): string | undefined {
  const g = r.traffic.gateway;
  return g ? (g.backendRef ?? g.backendRefs[r.name] ?? r.name) : undefined;
}

/** gateway-api: the edge cluster (a kubeconfig built like a region's), the route and every backendRef managed on it. */
function gatewayOptions(
  r: RegionConfig,
  regions: readonly RegionConfig[],
  kubeconfigPath?: string,
): Omit<GatewayApiTrafficOptions, 'timeoutMs'> | undefined {
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
