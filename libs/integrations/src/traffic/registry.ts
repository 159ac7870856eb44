/** Traffic providers by type, and per region. */
import type { TrafficProvider, TrafficProviders } from '#application';
import { GatewayApiTrafficProvider, type GatewayApiTrafficOptions } from './gateway-api.js';
import { SimulatorLoadBalancer } from './simulator-lb.js';
import { WebhookTrafficProvider } from './webhook.js';

export const TRAFFIC_PROVIDER_TYPES = ['simulator', 'webhook', 'gateway-api', 'none'] as const;

export interface TrafficProviderConfig {
  type: 'simulator' | 'webhook' | 'gateway-api' | 'none' | string;
  url?: string;
  /** simulator: bearer token */
  token?: string;
  /** webhook: HMAC key */
  secret?: string;
  /** default 10s */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** gateway-api: the edge cluster, the HTTPRoute and the backendRef(s) */
  gateway?: Omit<GatewayApiTrafficOptions, 'timeoutMs'>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** null for type 'none'. Throws on an unknown type or a missing url. */
export function createTrafficProvider(cfg: TrafficProviderConfig): TrafficProvider | null {
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchImpl = cfg.fetchImpl ? { fetchImpl: cfg.fetchImpl } : {};
  switch (cfg.type) {
    case 'none':
      return null;
    case 'simulator':
      return new SimulatorLoadBalancer({ url: required(cfg), timeoutMs, ...(cfg.token ? { token: cfg.token } : {}), ...fetchImpl });
    case 'webhook':
      return new WebhookTrafficProvider({ url: required(cfg), timeoutMs, ...(cfg.secret ? { secret: cfg.secret } : {}), ...fetchImpl });
    case 'gateway-api':
      if (!cfg.gateway) throw new Error('traffic provider "gateway-api" needs an edge cluster, a route and a backendRef');
      return new GatewayApiTrafficProvider({ ...cfg.gateway, timeoutMs });
    default:
      throw new Error(`unknown traffic provider type "${cfg.type}" (known: ${TRAFFIC_PROVIDER_TYPES.join(', ')})`);
  }
}

function required(cfg: TrafficProviderConfig): string {
  if (!cfg.url) throw new Error(`traffic provider "${cfg.type}" needs a url`);
  return cfg.url;
}

/** One provider per region; regions without an entry have provider none (null). */
export function createTrafficProviders(byRegion: ReadonlyMap<string, TrafficProviderConfig>): TrafficProviders {
  const providers = new Map<string, TrafficProvider | null>();
  for (const [region, cfg] of byRegion) providers.set(region, createTrafficProvider(cfg));
  return {
    forRegion(region: string): TrafficProvider | null {
      return providers.get(region) ?? null;
    },
  };
}
