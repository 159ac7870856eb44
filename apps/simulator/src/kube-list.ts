/**
 * List and watch of one resource type for the simulated kube API: label and field selectors,
 * `?watch=true` (see watch.ts), and the server-side Table form kubectl asks for
 * (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`).
 */
import { getObject, stringMap, type Json, type JsonObject } from './json.js';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './label-selector.js';
import type { KubeRequest } from './kube-api.js';
import { sendJson, sendStatus } from './http-util.js';
import { isWatch, serveWatch } from './watch.js';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer';
  format?: string;
  description: string;
  /** 0 = shown by default, 1 = only with -o wide */
  priority: number;
  cell: (obj: JsonObject, now: number) => Json;
}

export interface ListSpec {
  kind: string;
  apiVersion: string;
  /** The current objects (with kind and apiVersion), unfiltered. */
  objects: () => JsonObject[];
  columns: TableColumn[];
}

function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => /;\s*as=Table/.test(part));
}

function selected(k: KubeRequest): ((obj: JsonObject) => boolean) | string {
  try {
    const labels = parseLabelSelector(k.query.get('labelSelector'));
    const fields = parseFieldSelector(k.query.get('fieldSelector'));
    return (obj) => {
      const meta = getObject(obj, 'metadata') ?? {};
      return (
        labels(stringMap(meta['labels'])) &&
        fields({ 'metadata.name': String(meta['name']), 'metadata.namespace': String(meta['namespace']) })
      );
    };
  } catch (err) {
    if (err instanceof SelectorError) return err.message;
    throw err;
  }
}

export function withoutKind(obj: JsonObject): JsonObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = obj;
  return rest;
}

/** GET on a collection: a list, a watch stream or a Table. */
export function serveList(k: KubeRequest, spec: ListSpec): void {
  const { res, ctx } = k;
  if (k.method !== 'GET') return sendStatus(res, 405, 'the server does not allow this method on the requested resource');
  const match = selected(k);
  if (typeof match === 'string') return sendStatus(res, 400, match);
  const objects = (): JsonObject[] => spec.objects().filter(match);
  if (isWatch(k.query)) {
    return serveWatch(
      {
        list: objects,
        kind: spec.kind,
        apiVersion: spec.apiVersion,
        currentResourceVersion: () => ctx.state.resourceVersion(),
        query: k.query,
        signal: ctx.signal,
      },
      k.req,
      res,
    );
  }
  const items = objects();
  const metadata = { resourceVersion: ctx.state.resourceVersion() };
  if (wantsTable(k.req.headers.accept))
    return sendJson(res, 200, table(spec, items, metadata, k.query.get('includeObject'), ctx.state.now()));
  sendJson(res, 200, { kind: `${spec.kind}List`, apiVersion: spec.apiVersion, metadata, items: items.map(withoutKind) });
}

/** GET on one object: the object, or its one-row Table. */
export function serveObject(k: KubeRequest, spec: ListSpec, obj: JsonObject): void {
  if (wantsTable(k.req.headers.accept))
    return sendJson(
      k.res,
      200,
      table(
        spec,
        [obj],
        { resourceVersion: String(getObject(obj, 'metadata')?.['resourceVersion'] ?? '') },
        k.query.get('includeObject'),
        k.ctx.state.now(),
      ),
    );
  sendJson(k.res, 200, obj);
}

function table(spec: ListSpec, items: JsonObject[], metadata: JsonObject, includeObject: string | null, now: number): JsonObject {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: spec.columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description,
      priority: c.priority,
    })),
    rows: items.map((obj) => ({
      cells: spec.columns.map((c) => c.cell(obj, now)),
      object:
        includeObject === 'None'
          ? null
          : includeObject === 'Object'
            ? obj
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: getObject(obj, 'metadata') ?? {} },
    })),
  };
}

/** The API server's age format (k8s.io/apimachinery duration.HumanDuration). */
export function humanAge(fromIso: Json | undefined, now: number): string {
  const since = typeof fromIso === 'string' ? Date.parse(fromIso) : NaN;
  if (Number.isNaN(since)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - since) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return `${d}d`;
}

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (obj) => String(getObject(obj, 'metadata')?.['name'] ?? ''),
};

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (obj, now) => humanAge(getObject(obj, 'metadata')?.['creationTimestamp'], now),
};
