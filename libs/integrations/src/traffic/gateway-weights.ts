/**
 * The weight change of a Gateway API HTTPRoute as a JSON patch (RFC 6902) that touches only the
 * `weight` of the named backendRefs: every rule keeps its matches, filters and other backendRefs.
 * A missing weight means 1 (the Gateway API default); when a weight really moves, the missing
 * weights of the managed backendRefs in the touched rules are written out as 1 alongside, so no
 * managed weight is left implicit. A plan that moves no weight is empty (nothing to write).
 * The patch starts with `test` operations (resourceVersion, and each touched backendRef's name)
 * so the API server refuses it if the route changed since it was read.
 */
import { TrafficError } from '#application';

export type JsonPatchOp = { op: 'test'; path: string; value: string | number } | { op: 'add' | 'replace'; path: string; value: number };

export interface WeightChange {
  rule: number;
  backendRef: number;
  name: string;
  /** undefined = the weight was not set (which means 1) */
  from: number | undefined;
  to: number;
}

export interface WeightPlan {
  /** Empty when the route already has the wanted weights (nothing to write). */
  ops: JsonPatchOp[];
  changes: WeightChange[];
}

/** The Gateway API default of a backendRef without a weight. */
export const DEFAULT_BACKEND_WEIGHT = 1;
export const MAX_BACKEND_WEIGHT = 1_000_000;

interface RefLike {
  name?: unknown;
  weight?: unknown;
}

function rulesOf(route: unknown): RefLike[][] {
  const spec = (route as { spec?: { rules?: unknown } } | null)?.spec;
  const rules = Array.isArray(spec?.rules) ? (spec.rules as unknown[]) : [];
  return rules.map((rule) => {
    const refs = (rule as { backendRefs?: unknown } | null)?.backendRefs;
    return Array.isArray(refs) ? (refs as RefLike[]).map((r) => (typeof r === 'object' && r !== null ? r : {})) : [];
  });
}

function weightOf(ref: RefLike): number | undefined {
  return typeof ref.weight === 'number' ? ref.weight : undefined;
}

export function routeLabel(route: unknown): string {
  const meta = (route as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  return `HTTPRoute ${String(meta?.namespace ?? '?')}/${String(meta?.name ?? '?')}`;
}

/** The effective weight of a backendRef (its first occurrence); throws when the route has none of that name. */
export function readWeight(route: unknown, backendRef: string): number {
  for (const refs of rulesOf(route)) {
    for (const ref of refs) if (ref.name === backendRef) return weightOf(ref) ?? DEFAULT_BACKEND_WEIGHT;
  }
  throw new TrafficError(`${routeLabel(route)} has no backendRef named "${backendRef}"`);
}

/**
 * Sets `backendRef`'s weight to `weight` in every rule that names it. `managed` are the
 * backendRef names Tideline manages on this route (all regions'); their missing weights in the
 * touched rules are written as 1. Throws when the route has no backendRef of that name.
 */
export function weightPlan(route: unknown, backendRef: string, weight: number, managed: readonly string[]): WeightPlan {
  if (!Number.isInteger(weight) || weight < 0 || weight > MAX_BACKEND_WEIGHT) {
    throw new TrafficError(`a backendRef weight must be an integer from 0 to ${MAX_BACKEND_WEIGHT}, got ${weight}`);
  }
  const changes: WeightChange[] = [];
  let found = false;
  rulesOf(route).forEach((refs, rule) => {
    if (!refs.some((ref) => ref.name === backendRef)) return;
    found = true;
    refs.forEach((ref, index) => {
      const name = typeof ref.name === 'string' ? ref.name : '';
      const from = weightOf(ref);
      const to = name === backendRef ? weight : managed.includes(name) && from === undefined ? DEFAULT_BACKEND_WEIGHT : from;
      if (to !== undefined && to !== from) changes.push({ rule, backendRef: index, name, from, to });
    });
  });
  if (!found) throw new TrafficError(`${routeLabel(route)} has no backendRef named "${backendRef}"`);
  // writing out an implicit 1 alone changes no traffic: only write when some weight really moves
  if (!changes.some((c) => (c.from ?? DEFAULT_BACKEND_WEIGHT) !== c.to)) return { ops: [], changes: [] };
  const resourceVersion = (route as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string' || resourceVersion === '')
    throw new TrafficError(`${routeLabel(route)} has no metadata.resourceVersion`);
  const ops: JsonPatchOp[] = [{ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion }];
  for (const c of changes) {
    const at = `/spec/rules/${c.rule}/backendRefs/${c.backendRef}`;
    ops.push({ op: 'test', path: `${at}/name`, value: c.name });
    ops.push({ op: c.from === undefined ? 'add' : 'replace', path: `${at}/weight`, value: c.to });
  }
  return { ops, changes };
}

export interface ParentVerdict {
  /** All parents report Accepted and ResolvedRefs True for the generation. */
  ready: boolean;
  /** A parent reports one of them False for the generation: why. */
  rejected?: string;
}

/** What the route's parents say about `generation` (status.parents[*].conditions). */
export function parentVerdict(route: unknown, generation: number): ParentVerdict {
  const parents = (route as { status?: { parents?: unknown } } | null)?.status?.parents;
  const list = Array.isArray(parents) ? (parents as { parentRef?: { name?: unknown }; conditions?: unknown }[]) : [];
  if (list.length === 0) return { ready: false };
  let ready = true;
  for (const parent of list) {
    const conditions = Array.isArray(parent.conditions) ? (parent.conditions as Record<string, unknown>[]) : [];
    for (const type of ['Accepted', 'ResolvedRefs']) {
      const c = conditions.find((x) => x['type'] === type);
      const current = c !== undefined && typeof c['observedGeneration'] === 'number' && c['observedGeneration'] >= generation;
      if (!current) {
        ready = false;
        continue;
      }
      if (c['status'] !== 'True') {
        const why = [c['reason'], c['message']].filter((x) => typeof x === 'string' && x !== '').join(': ');
        return {
          ready: false,
          rejected: `parent ${String(parent.parentRef?.name ?? '?')} reports ${type} ${String(c['status'])}${why ? ` (${why})` : ''}`,
        };
      }
    }
  }
  return { ready };
}
