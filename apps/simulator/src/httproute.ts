/**
 * Gateway API HTTPRoutes of the simulated edge cluster: storage, validation, status. The
 * simulated gateway "observes" a spec change `acceptDelayMs` later and then reports, per
 * parentRef, `Accepted` and `ResolvedRefs` for the new generation (both True unless the
 * acceptance switch says otherwise). Status is computed from the clock on every read.
 */
import { randomUUID } from 'node:crypto';
import { getArray, getObject, isObject, type Json, type JsonObject } from './json.js';
import type { StoredDeployment } from './deployment.js';
import { k8sTime } from './rollout.js';

export const GATEWAY_CONTROLLER = 'tideline.dev/simulator-gateway';

/** What the simulated gateway answers for spec changes made while it is set. */
export interface RouteAcceptance {
  accepted: boolean;
  resolvedRefs: boolean;
  /** Reason of the False condition(s) (default NotAllowedByListeners / BackendNotFound). */
  reason?: string;
  message?: string;
}

export interface RouteVerdict extends RouteAcceptance {
  generation: number;
  /** When the gateway reports it (before that, reads show the previous verdict). */
  at: number;
}

/** The object metadata a stored HTTPRoute shares with a stored Deployment. */
type StoredMeta = Pick<
  StoredDeployment,
  'namespace' | 'name' | 'uid' | 'creationTimestamp' | 'generation' | 'resourceVersion' | 'labels' | 'annotations'
>;

export interface StoredRoute extends StoredMeta {
  spec: JsonObject;
  verdict: RouteVerdict;
  previous: RouteVerdict | null;
}

export interface RouteSeed {
  namespace: string;
  name: string;
  spec: JsonObject;
}

export const DEFAULT_ROUTE = { namespace: 'edge', name: 'global' } as const;
export const ACCEPTED: RouteAcceptance = Object.freeze({ accepted: true, resolvedRefs: true });

/** The default route: one catch-all rule with one backendRef per region, named after the region, weights unset. */
export function defaultRouteSeed(regions: readonly string[]): RouteSeed {
  return {
    ...DEFAULT_ROUTE,
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge-gateway' }],
      hostnames: ['shop.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: regions.map((r) => ({ group: '', kind: 'Service', name: r, port: 80 })),
        },
      ],
    },
  };
}

export function newRoute(seed: RouteSeed, now: number, resourceVersion: number): StoredRoute {
  return {
    namespace: seed.namespace,
    name: seed.name,
    uid: randomUUID(),
    creationTimestamp: now,
    generation: 1,
    resourceVersion,
    labels: {},
    annotations: {},
    spec: structuredClone(seed.spec),
    verdict: { ...ACCEPTED, generation: 1, at: now },
    previous: null,
  };
}

/** Field errors of an HTTPRoute spec, phrased like the API server's (empty when valid). */
export function validateRouteSpec(spec: JsonObject): string[] {
  const errors: string[] = [];
  const rules = spec['rules'];
  if (rules !== undefined && !Array.isArray(rules)) return ['spec.rules: Invalid value: must be a list'];
  (rules ?? []).forEach((rule, i) => {
    if (!isObject(rule)) return errors.push(`spec.rules[${i}]: Invalid value: must be an object`);
    const refs = rule['backendRefs'];
    if (refs !== undefined && !Array.isArray(refs)) return errors.push(`spec.rules[${i}].backendRefs: Invalid value: must be a list`);
    (refs ?? []).forEach((ref, j) => {
      const at = `spec.rules[${i}].backendRefs[${j}]`;
      if (!isObject(ref)) return errors.push(`${at}: Invalid value: must be an object`);
      if (typeof ref['name'] !== 'string' || ref['name'] === '') errors.push(`${at}.name: Required value`);
      const w = ref['weight'];
      if (w !== undefined && !(typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 1_000_000)) {
        errors.push(`${at}.weight: Invalid value: ${JSON.stringify(w)}: must be an integer between 0 and 1000000`);
      }
    });
  });
  return errors;
}

function condition(type: string, ok: boolean, okReason: string, badReason: string, v: RouteVerdict, message?: string): JsonObject {
  return {
    type,
    status: ok ? 'True' : 'False',
    reason: ok ? okReason : badReason,
    message: ok ? `Route ${type === 'Accepted' ? 'accepted' : 'references resolved'}` : (message ?? `${type} is False`),
    observedGeneration: v.generation,
    lastTransitionTime: k8sTime(v.at),
  };
}

/** The verdict readers see at `now`. */
export function visibleVerdict(r: StoredRoute, now: number): RouteVerdict | null {
  return now >= r.verdict.at ? r.verdict : r.previous;
}

export function renderRoute(r: StoredRoute, now: number, withKind = true): JsonObject {
  const body: JsonObject = withKind ? { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' } : {};
  body['metadata'] = {
    name: r.name,
    namespace: r.namespace,
    uid: r.uid,
    resourceVersion: String(r.resourceVersion),
    generation: r.generation,
    creationTimestamp: k8sTime(r.creationTimestamp),
    ...(Object.keys(r.labels).length > 0 ? { labels: { ...r.labels } } : {}),
    ...(Object.keys(r.annotations).length > 0 ? { annotations: { ...r.annotations } } : {}),
  };
  body['spec'] = structuredClone(r.spec);
  const v = visibleVerdict(r, now);
  const parents: Json[] = [];
  if (v) {
    for (const parentRef of getArray(r.spec, 'parentRefs') ?? []) {
      if (!isObject(parentRef)) continue;
      parents.push({
        parentRef: structuredClone(parentRef),
        controllerName: GATEWAY_CONTROLLER,
        conditions: [
          condition('Accepted', v.accepted, 'Accepted', v.reason ?? 'NotAllowedByListeners', v, v.message),
          condition('ResolvedRefs', v.resolvedRefs, 'ResolvedRefs', v.reason ?? 'BackendNotFound', v, v.message),
        ],
      });
    }
  }
  body['status'] = { parents };
  return body;
}

/**
 * Region weights the simulated global load balancer takes from a route: the first rule that
 * names a region's backendRef decides, weights relative to that rule's largest (unset = 1).
 */
export function regionWeights(spec: JsonObject, regions: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const rule of getArray(spec, 'rules') ?? []) {
    if (!isObject(rule)) continue;
    const refs = (getArray(rule, 'backendRefs') ?? []).filter(isObject);
    const mine = refs.filter((ref) => regions.includes(String(ref['name'])) && !out.has(String(ref['name'])));
    if (mine.length === 0) continue;
    const weight = (ref: JsonObject): number => (typeof ref['weight'] === 'number' ? ref['weight'] : 1);
    const max = Math.max(...refs.map(weight));
    for (const ref of mine) out.set(String(ref['name']), max > 0 ? (100 * weight(ref)) / max : 0);
  }
  return out;
}

export function metadataOf(obj: JsonObject): JsonObject {
  return getObject(obj, 'metadata') ?? {};
}
