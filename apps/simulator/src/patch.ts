/**
 * The three PATCH flavours the Kubernetes API server accepts for built-in types:
 * strategic merge patch, JSON merge patch (RFC 7386) and JSON patch (RFC 6902).
 */
import { clone, deepEqual, isObject, type Json, type JsonObject } from './json.js';

export const CONTENT_TYPES = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
} as const;

export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 422 = 422,
  ) {
    super(message);
  }
}

/** RFC 7386: objects merge recursively, `null` deletes, everything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/**
 * patchMergeKey of the list fields that appear in an apps/v1 Deployment (from the
 * Kubernetes API types). Lists not named here are replaced as a whole, as the API server does
 * for lists with no merge strategy.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  conditions: 'type',
};

function isDirectiveKey(key: string): boolean {
  return key.startsWith('$setElementOrder/') || key.startsWith('$deleteFromPrimitiveList/') || key === '$retainKeys';
}

/** Strategic merge patch on a JSON object tree. */
export function strategicMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const directive = patch['$patch'];
  if (directive === 'replace') {
    const rest: JsonObject = {};
    for (const [k, v] of Object.entries(patch)) if (k !== '$patch') rest[k] = clone(v);
    return rest;
  }
  if (directive !== undefined && directive !== 'merge') {
    throw new PatchError(`unsupported $patch directive in a map: ${JSON.stringify(directive)}`);
  }
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || isDirectiveKey(key)) continue;
    if (value === null) {
      delete out[key];
    } else if (isObject(value) && value['$patch'] === 'delete') {
      delete out[key];
    } else if (Array.isArray(value)) {
      const mergeKey = MERGE_KEYS[key];
      const current = out[key];
      out[key] = mergeKey ? mergeList(Array.isArray(current) ? current : [], value, mergeKey) : clone(value);
    } else {
      out[key] = strategicMergePatch(out[key], value);
    }
  }
  return out;
}

function mergeList(current: Json[], patch: Json[], mergeKey: string): Json[] {
  if (patch.some((item) => isObject(item) && item['$patch'] === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item['$patch'] === 'replace')).map((item) => clone(item));
  }
  const out = current.map((item) => clone(item));
  for (const item of patch) {
    if (!isObject(item)) throw new PatchError(`list items merged by "${mergeKey}" must be objects`);
    const keyValue = item[mergeKey];
    if (keyValue === undefined) throw new PatchError(`list item is missing its merge key "${mergeKey}"`);
    const index = out.findIndex((existing) => isObject(existing) && deepEqual(existing[mergeKey], keyValue));
    if (item['$patch'] === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = strategicMergePatch(out[index], item);
    else out.push(strategicMergePatch(undefined, item));
  }
  return out;
}

type Container = JsonObject | Json[];

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(arr: Json[], token: string, forInsert: boolean): number {
  if (forInsert && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`invalid array index "${token}"`);
  const i = Number(token);
  if (i > arr.length || (!forInsert && i === arr.length)) throw new PatchError(`array index ${i} out of bounds`);
  return i;
}

function resolveParent(doc: Json, tokens: string[], pointer: string): Container {
  let node: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    let next: Json | undefined;
    if (Array.isArray(node)) next = node[arrayIndex(node, token, false)];
    else if (isObject(node)) next = node[token];
    if (next === undefined || (next !== null && typeof next !== 'object')) {
      throw new PatchError(`path "${pointer}" does not exist`);
    }
    if (next === null) throw new PatchError(`path "${pointer}" does not exist`);
    node = next;
  }
  if (!Array.isArray(node) && !isObject(node)) throw new PatchError(`path "${pointer}" does not exist`);
  return node;
}

function getAt(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const parent = resolveParent(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] ?? '';
  const value = Array.isArray(parent) ? parent[arrayIndex(parent, last, false)] : parent[last];
  if (value === undefined) throw new PatchError(`path "${pointer}" does not exist`);
  return value;
}

function removeAt(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError('cannot remove the whole document');
  const parent = resolveParent(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] ?? '';
  if (Array.isArray(parent)) {
    const [removed] = parent.splice(arrayIndex(parent, last, false), 1);
    return removed ?? null;
  }
  const removed = parent[last];
  if (removed === undefined) throw new PatchError(`path "${pointer}" does not exist`);
  delete parent[last];
  return removed;
}

function addAt(doc: Json, pointer: string, value: Json, replace: boolean): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = resolveParent(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] ?? '';
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, !replace);
    parent.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && parent[last] === undefined) throw new PatchError(`path "${pointer}" does not exist`);
    parent[last] = value;
  }
  return doc;
}

function opString(op: JsonObject, key: string): string {
  const v = op[key];
  if (typeof v !== 'string') throw new PatchError(`JSON patch operation is missing "${key}"`, 400);
  return v;
}

function opValue(op: JsonObject): Json {
  const v = op['value'];
  if (v === undefined) throw new PatchError('JSON patch operation is missing "value"', 400);
  return clone(v);
}

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test. */
export function jsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw new PatchError('a JSON patch must be an array of operations', 400);
  let doc = clone(target);
  for (const op of patch) {
    if (!isObject(op)) throw new PatchError('a JSON patch operation must be an object', 400);
    const path = opString(op, 'path');
    switch (opString(op, 'op')) {
      case 'add':
        doc = addAt(doc, path, opValue(op), false);
        break;
      case 'replace':
        doc = addAt(doc, path, opValue(op), true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move': {
        const value = removeAt(doc, opString(op, 'from'));
        doc = addAt(doc, path, value, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, clone(getAt(doc, opString(op, 'from'))), false);
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path), opValue(op))) throw new PatchError(`test operation failed at "${path}"`);
        break;
      default:
        throw new PatchError(`unknown JSON patch operation ${JSON.stringify(op['op'])}`, 400);
    }
  }
  return doc;
}

export type PatchType = keyof typeof CONTENT_TYPES;

/** Maps a request Content-Type header (parameters ignored) to a patch type. */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  for (const [type, value] of Object.entries(CONTENT_TYPES)) {
    if (value === media) return type as PatchType;
  }
  return undefined;
}

export function applyPatch(type: PatchType, target: JsonObject, patch: Json): Json {
  switch (type) {
    case 'strategic':
      return strategicMergePatch(target, patch);
    case 'merge':
      return mergePatch(target, patch);
    case 'json':
      return jsonPatch(target, patch);
  }
}
