/**
 * Traffic providers: one factory per provider type (a closed union; an unknown type, or a type
 * without what it needs, is refused when the providers are built, at start-up), and the one
 * per-region builder production and tests use.
 */
import type { TrafficProvider, TrafficProviders } from '#application';
import type { TrafficProviderType } from '#config';
import { GatewayApiTrafficProvider, type GatewayApiTrafficOptions } from './gateway-api.js';
import { SimulatorLoadBalancer } from './simulator-lb.js';
import { WebhookTrafficProvider } from './webhook.js';

/** What moves a region's traffic. `type` is checked against the factories (it may come from a file). */
export interface TrafficProviderConfig {
  type: TrafficProviderType | (string & {});
  url?: string;
  /** simulator: bearer token */
  token?: string;
  /** webhook: HMAC key */
  secret?: string;
  /** default 10s */
  timeoutMs?: number;
  /** gateway-api: the edge cluster, the HTTPRoute and the backendRef(s) */
  gateway?: Omit<GatewayApiTrafficOptions, 'timeoutMs'>;
}

type Factory = (cfg: TrafficProviderConfig, timeoutMs: number) => TrafficProvider | null;

/** One factory per type, each implementation in its own file; `none` has no provider (null). */
const FACTORIES: { readonly [T in TrafficProviderType]: Factory } = {
  simulator: (cfg, timeoutMs) => new SimulatorLoadBalancer({ url: required(cfg), timeoutMs, ...(cfg.token ? { token: cfg.token } : {}) }),
  webhook: (cfg, timeoutMs) => new WebhookTrafficProvider({ url: required(cfg), timeoutMs, ...(cfg.secret ? { secret: cfg.secret } : {}) }),
  'gateway-api': (cfg, timeoutMs) => {
    if (!cfg.gateway) throw new Error('traffic provider "gateway-api" needs an edge cluster, a route and a backendRef');
    return new GatewayApiTrafficProvider({ ...cfg.gateway, timeoutMs });
  },
  none: () => null,
};

export const TRAFFIC_PROVIDER_TYPES = Object.keys(FACTORIES) as readonly TrafficProviderType[];

const DEFAULT_TIMEOUT_MS = 10_000;

/** null for type 'none'. Throws on an unknown type or a missing url. */
export function createTrafficProvider(cfg: TrafficProviderConfig): TrafficProvider | null {
  if (!Object.hasOwn(FACTORIES, cfg.type)) {
    throw new Error(`unknown traffic provider type "${cfg.type}" (known: ${TRAFFIC_PROVIDER_TYPES.join(', ')})`);
  }
  return FACTORIES[cfg.type as TrafficProviderType](cfg, cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS);
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
