/**
 * The edge cluster's HTTPRoutes: patching (strategic/merge/JSON patch, resourceVersion
 * precondition → 409), generation bump on spec change, the gateway's delayed verdict, and the
 * global load balancer following the route's region weights while the gateway accepts it.
 */
import { deepEqual, getObject, isObject, stringMap, type Json } from './json.js';
import { applyPatch, PatchError, type PatchType } from './patch.js';
import {
  ACCEPTED,
  defaultRouteSeed,
  newRoute,
  regionWeights,
  renderRoute,
  validateRouteSpec,
  type RouteAcceptance,
  type RouteSeed,
  type StoredRoute,
} from './httproute.js';
import type { PatchOutcome } from './apply-patch.js';

export interface RouteHost {
  now(): number;
  nextResourceVersion(): number;
  regionNames(): string[];
  /** Moves the load balancer's weight of a region (0..100). */
  setLbWeight(region: string, weight: number, now: number): void;
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

export class RouteStore {
  private routes = new Map<string, StoredRoute>();
  private acceptance: RouteAcceptance = { ...ACCEPTED };

  constructor(
    private readonly host: RouteHost,
    /** How long the gateway takes to report on a new generation. */
    readonly acceptDelayMs: number,
  ) {}

  reset(): void {
    this.acceptance = { ...ACCEPTED };
    this.routes = new Map();
    this.seed(defaultRouteSeed(this.host.regionNames()));
  }

  seed(seed: RouteSeed): StoredRoute {
    const r = newRoute(seed, this.host.now(), this.host.nextResourceVersion());
    this.routes.set(key(seed.namespace, seed.name), r);
    return r;
  }

  get(namespace: string, name: string): StoredRoute | undefined {
    return this.routes.get(key(namespace, name));
  }

  list(namespace?: string): StoredRoute[] {
    return [...this.routes.values()]
      .filter((r) => namespace === undefined || r.namespace === namespace)
      .sort((a, b) => key(a.namespace, a.name).localeCompare(key(b.namespace, b.name)));
  }

  /** What the gateway reports for spec changes from now on (tests make it refuse routes). */
  setAcceptance(acceptance: RouteAcceptance): RouteAcceptance {
    this.acceptance = { ...acceptance };
    return this.getAcceptance();
  }

  getAcceptance(): RouteAcceptance {
    return { ...this.acceptance };
  }

  patch(r: StoredRoute, type: PatchType, body: Json): PatchOutcome {
    const what = `httproutes.gateway.networking.k8s.io "${r.name}"`;
    if (type === 'strategic') {
      // as the API server answers for every custom resource
      return fail(
        415,
        'UnsupportedMediaType',
        'strategic merge patch is not supported for custom resources: use a JSON merge patch or a JSON patch',
      );
    }
    if (type !== 'json' && !isObject(body)) return fail(400, 'BadRequest', 'the body of a merge patch must be a JSON object');
    const now = this.host.now();
    let patched: Json;
    try {
      patched = applyPatch(type, renderRoute(r, now), body);
    } catch (err) {
      if (err instanceof PatchError)
        return fail(err.code, err.code === 400 ? 'BadRequest' : 'Invalid', `${what} is invalid: ${err.message}`);
      throw err;
    }
    if (!isObject(patched)) return fail(422, 'Invalid', `${what} is invalid: the patched object is not an object`);
    const metadata = getObject(patched, 'metadata') ?? {};
    const rv = metadata['resourceVersion'];
    if (rv !== undefined && rv !== null && rv !== String(r.resourceVersion)) {
      return fail(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${what}: the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    if (metadata['name'] !== r.name || metadata['namespace'] !== r.namespace) {
      return fail(400, 'BadRequest', `the name or namespace of the object does not match the URL (${r.namespace}/${r.name})`);
    }
    const spec = getObject(patched, 'spec');
    if (!spec) return fail(422, 'Invalid', `HTTPRoute.gateway.networking.k8s.io "${r.name}" is invalid: spec: Required value`);
    const errors = validateRouteSpec(spec);
    if (errors.length > 0) return fail(422, 'Invalid', `HTTPRoute.gateway.networking.k8s.io "${r.name}" is invalid: ${errors.join(', ')}`);
    const labels = stringMap(metadata['labels']);
    const annotations = stringMap(metadata['annotations']);
    const changedSpec = !deepEqual(spec, r.spec);
    if (!changedSpec && deepEqual(labels, r.labels) && deepEqual(annotations, r.annotations))
      return { ok: true, changedSpec: false, changed: false };
    if (changedSpec) {
      r.previous = now >= r.verdict.at ? r.verdict : r.previous;
      r.generation += 1;
      r.spec = structuredClone(spec);
      r.verdict = { ...this.acceptance, generation: r.generation, at: now + this.acceptDelayMs };
      if (this.acceptance.accepted && this.acceptance.resolvedRefs) this.follow(r, now);
    }
    r.labels = labels;
    r.annotations = annotations;
    r.resourceVersion = this.host.nextResourceVersion();
    return { ok: true, changedSpec, changed: true };
  }

  /** The load balancer starts ramping to the accepted route's region weights right away. */
  private follow(r: StoredRoute, now: number): void {
    for (const [region, weight] of regionWeights(r.spec, this.host.regionNames())) this.host.setLbWeight(region, weight, now);
  }
}

function fail(code: number, reason: string, message: string): PatchOutcome {
  return { ok: false, code, reason, message };
}
