/** Minimal JSON value model and helpers shared by the simulator modules. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrows an `unknown` that came from `JSON.parse` (or equivalent) to `Json`. */
export function toJson(value: unknown): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('non-finite number in JSON');
    return value;
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJson(v);
    }
    return out;
  }
  throw new Error(`not a JSON value: ${typeof value}`);
}

export function parseJson(text: string): Json {
  return toJson(JSON.parse(text));
}

export function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export function getObject(parent: JsonObject, key: string): JsonObject | undefined {
  const v = parent[key];
  return isObject(v) ? v : undefined;
}

export function getArray(parent: JsonObject, key: string): Json[] | undefined {
  const v = parent[key];
  return Array.isArray(v) ? v : undefined;
}

export function getString(parent: JsonObject, key: string): string | undefined {
  const v = parent[key];
  return typeof v === 'string' ? v : undefined;
}

export function getNumber(parent: JsonObject, key: string): number | undefined {
  const v = parent[key];
  return typeof v === 'number' ? v : undefined;
}

/** A `{[k]: string}` map (labels, annotations); non-string values are dropped. */
export function stringMap(value: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
