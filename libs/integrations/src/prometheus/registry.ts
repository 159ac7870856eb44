/**
 * Metrics sources: one factory per provider type (a closed union; an unknown type is refused when
 * the sources are built, at start-up), and the one per-region builder production and tests use.
 */
import type { MetricsSource, MetricsSources } from '#application';
import { HttpPrometheus } from './http-prometheus.js';
import { UnavailableMetricsSource } from './unavailable.js';

export type MetricsProviderType = 'prometheus';

/** What a region's metrics come from. `type` is checked against the factories (it may come from a file). */
export interface MetricsSourceConfig {
  type: MetricsProviderType | (string & {});
  url: string;
  /** e.g. Authorization; never logged */
  headers?: Record<string, string>;
}

const FACTORIES: { readonly [T in MetricsProviderType]: (cfg: MetricsSourceConfig) => MetricsSource } = {
  prometheus: (cfg) => new HttpPrometheus({ url: cfg.url, ...(cfg.headers ? { headers: cfg.headers } : {}) }),
};

export const METRICS_PROVIDER_TYPES = Object.keys(FACTORIES) as readonly MetricsProviderType[];

export function createMetricsSource(cfg: MetricsSourceConfig): MetricsSource {
  if (!Object.hasOwn(FACTORIES, cfg.type)) {
    throw new Error(`unknown metrics provider type "${cfg.type}" (known: ${METRICS_PROVIDER_TYPES.join(', ')})`);
  }
  return FACTORIES[cfg.type as MetricsProviderType](cfg);
}

/**
 * One source per region. A region listed with null has no metrics (regions.yaml names no
 * Prometheus), a region not listed is unknown: both get a source that answers every query with an
 * error, so their gates report `error` rather than passing. Regions with the same configuration
 * share one source (one connection pool).
 */
export function createMetricsSources(
  byRegion: ReadonlyMap<string, MetricsSourceConfig | null>,
  opts: { batch?: boolean } = {},
): MetricsSources {
  const sources = new Map<string, MetricsSource>();
  const shared = new Map<string, MetricsSource>();
  for (const [region, cfg] of byRegion) {
    if (!cfg) {
      sources.set(
        region,
        new UnavailableMetricsSource(`no prometheus is configured for region ${region} (set prometheus in regions.yaml)`),
      );
      continue;
    }
    const key = JSON.stringify([cfg.type, cfg.url, Object.entries(cfg.headers ?? {}).sort()]);
    const source = shared.get(key) ?? createMetricsSource(cfg);
    shared.set(key, source);
    sources.set(region, source);
  }
  const forRegion = (region: string): MetricsSource =>
    sources.get(region) ?? new UnavailableMetricsSource(`no Prometheus is configured for region "${region}"`);
  if (opts.batch === false) return { forRegion };
  return {
    forRegion,
    // regions sharing a source share a Prometheus and its credentials: one gate query may cover them
    groupByEndpoint(regions: readonly string[]): string[][] {
      const groups = new Map<MetricsSource | string, string[]>();
      for (const r of regions) {
        const source = sources.get(r);
        const key = source && !(source instanceof UnavailableMetricsSource) ? source : `alone:${r}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      return [...groups.values()];
    },
  };
}
