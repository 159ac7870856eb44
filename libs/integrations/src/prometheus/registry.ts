/** Metrics sources by provider type, and per region. */
import type { MetricsSource, MetricsSources } from '#application';
import { HttpPrometheus } from './http-prometheus.js';

export interface MetricsSourceConfig {
  type: string;
  url: string;
  headers?: Record<string, string>;
  fetchImpl?: typeof fetch;
}

export const METRICS_PROVIDER_TYPES = ['prometheus'] as const;

export function createMetricsSource(cfg: MetricsSourceConfig): MetricsSource {
  switch (cfg.type) {
    case 'prometheus':
      return new HttpPrometheus({
        url: cfg.url,
        ...(cfg.headers ? { headers: cfg.headers } : {}),
        ...(cfg.fetchImpl ? { fetchImpl: cfg.fetchImpl } : {}),
      });
    default:
      throw new Error(`unknown metrics provider type "${cfg.type}" (known: ${METRICS_PROVIDER_TYPES.join(', ')})`);
  }
}

/** A source that answers every query with an error (a region without Prometheus). */
export class UnavailableMetricsSource implements MetricsSource {
  constructor(private readonly why: string) {}
  query(): Promise<{ ok: false; error: string; durationMs: number }> {
    return Promise.resolve({ ok: false, error: this.why, durationMs: 0 });
  }
}

/**
 * One source per region; a region without an entry (or with null) gets a source that answers
 * every query with an error, so its gates report `error` rather than passing.
 */
export function createMetricsSources(byRegion: ReadonlyMap<string, MetricsSourceConfig | null>): MetricsSources {
  const sources = new Map<string, MetricsSource>();
  for (const [region, cfg] of byRegion) if (cfg) sources.set(region, createMetricsSource(cfg));
  return {
    forRegion(region: string): MetricsSource {
      return sources.get(region) ?? new UnavailableMetricsSource(`no Prometheus is configured for region "${region}"`);
    },
  };
}
