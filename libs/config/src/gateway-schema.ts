/**
 * The keys of `traffic:` for `provider: gateway-api` (the edge cluster, the HTTPRoute and the
 * backendRef of each region), and the cross-checks between them and the other providers' keys.
 */
import { z } from 'zod';
import type { SchemaContext } from './schema.js';
import { dnsLabel, dnsSubdomain, expected } from './schema-kit.js';
import type { GatewayApiTraffic, KubernetesTarget } from './types.js';
import type { PathSegment } from './errors.js';
import { isRecord } from './interpolate.js';
import { kubernetesSchema } from './region-schema.js';

const BACKEND_REFS_HINT = 'must be a map of region name to backendRef name, e.g. { eu-west: checkout-eu-west }';

export function gatewayFields(ctx: SchemaContext) {
  return {
    kubernetes: kubernetesSchema(ctx).optional(),
    namespace: dnsLabel().optional(),
    route: dnsSubdomain().optional(),
    backendRef: dnsSubdomain().optional(),
    backendRefs: z.record(dnsLabel(), dnsSubdomain(), expected(BACKEND_REFS_HINT)).optional(),
  };
}

interface GatewayKeys {
  provider: string;
  url?: unknown;
  kubernetes?: KubernetesTarget | undefined;
  namespace?: string | undefined;
  route?: string | undefined;
  backendRef?: string | undefined;
  backendRefs?: Record<string, string> | undefined;
}

type Issue = { path: string[]; message: string };

/** Problems of a traffic block with respect to the gateway-api keys. */
export function gatewayProblems(t: GatewayKeys): Issue[] {
  const problems: Issue[] = [];
  const keys = ['kubernetes', 'namespace', 'route', 'backendRef', 'backendRefs'] as const;
  if (t.provider !== 'gateway-api') {
    for (const key of keys)
      if (t[key] !== undefined) problems.push({ path: [key], message: `only with provider gateway-api (provider is ${t.provider})` });
    return problems;
  }
  if (t.url !== undefined)
    problems.push({ path: ['url'], message: 'provider gateway-api takes no url: it patches the HTTPRoute through kubernetes' });
  for (const key of ['kubernetes', 'namespace', 'route'] as const) {
    if (t[key] === undefined) problems.push({ path: [key], message: 'is required for provider gateway-api' });
  }
  return problems;
}

/** The gateway part of a valid gateway-api traffic block. */
export function gatewayConfig(t: GatewayKeys): GatewayApiTraffic | undefined {
  if (t.provider !== 'gateway-api' || !t.kubernetes || !t.namespace || !t.route) return undefined;
  return {
    kubernetes: t.kubernetes,
    namespace: t.namespace,
    route: t.route,
    ...(t.backendRef !== undefined ? { backendRef: t.backendRef } : {}),
    backendRefs: { ...(t.backendRefs ?? {}) },
  };
}

/** regions.yaml: every key of a `backendRefs` map (under defaults or a region) names a region of the file. */
export function backendRefsRegionProblems(raw: unknown, regions: ReadonlySet<string>): { path: PathSegment[]; message: string }[] {
  if (!isRecord(raw)) return [];
  const places: { traffic: unknown; path: PathSegment[] }[] = [];
  if (isRecord(raw['defaults'])) places.push({ traffic: raw['defaults']['traffic'], path: ['defaults', 'traffic'] });
  (Array.isArray(raw['regions']) ? raw['regions'] : []).forEach((r, i) => {
    if (isRecord(r)) places.push({ traffic: r['traffic'], path: ['regions', i, 'traffic'] });
  });
  return places.flatMap(({ traffic, path }) => {
    const refs = isRecord(traffic) ? traffic['backendRefs'] : undefined;
    if (!isRecord(refs)) return [];
    return Object.keys(refs)
      .filter((region) => !regions.has(region))
      .map((region) => ({ path: [...path, 'backendRefs', region], message: `no region named ${JSON.stringify(region)} in this file` }));
  });
}
