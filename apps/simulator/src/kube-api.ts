/**
 * The subset of the Kubernetes API served per simulated cluster: each region under
 * `/regions/{region}` (apps/v1 Deployments get / list / watch / patch) and the edge cluster
 * under `/edge` (gateway.networking.k8s.io/v1 HTTPRoutes get / list / watch / patch), plus
 * discovery (`/api`, `/apis`, …), `/version`, an empty core/v1 events list and health.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { imagesOf as imagesOfDeployment, templateLabels } from './deployment.js';
import { discovery, VERSION_INFO } from './discovery.js';
import { parseJson, type Json, type JsonObject } from './json.js';
import { handleDeployments, type DeploymentRoute } from './kube-deployments.js';
import { handleHttpRoutes, type HttpRouteRoute } from './kube-httproutes.js';
import type { PatchLogEntry, SimState } from './state.js';
import { BodyTooLargeError, readBody, sendJson, sendStatus, sleep } from './http-util.js';

export interface KubeApiContext {
  state: SimState;
  token?: string;
  /** Aborted when the simulator closes (cuts injected delays short, ends watches). */
  signal: AbortSignal;
}

/** A region's cluster, or the edge cluster that holds the HTTPRoutes. */
export type Cluster = { kind: 'region'; region: string } | { kind: 'edge' };

type Route =
  | DeploymentRoute
  | HttpRouteRoute
  | { kind: 'events'; namespace?: string }
  | { kind: 'namespace'; name: string }
  | { kind: 'discovery'; doc: JsonObject }
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'unknown' };

function resourceRoute(rest: string[], resource: string): { namespace?: string; name?: string } | undefined {
  if (rest.length === 1 && rest[0] === resource) return {};
  if (rest[0] !== 'namespaces' || rest[2] !== resource || !rest[1]) return undefined;
  if (rest.length === 3) return { namespace: rest[1] };
  if (rest.length === 4 && rest[3]) return { namespace: rest[1], name: rest[3] };
  return undefined;
}

function route(path: string): Route {
  const seg = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  if (seg.length === 1 && seg[0] === 'version') return { kind: 'version' };
  if (seg.length === 1 && ['healthz', 'readyz', 'livez'].includes(seg[0] ?? '')) return { kind: 'health' };
  const doc = discovery(seg);
  if (doc) return { kind: 'discovery', doc };
  if (seg.length === 4 && seg[0] === 'api' && seg[1] === 'v1' && seg[2] === 'namespaces' && seg[3])
    return { kind: 'namespace', name: seg[3] };
  const events = seg[0] === 'api' && seg[1] === 'v1' ? resourceRoute(seg.slice(2), 'events') : undefined;
  if (events && events.name === undefined) return { kind: 'events', ...events };
  const group = `${seg[0]}/${seg[1]}/${seg[2]}`;
  const rest = seg.slice(3);
  const deployments = group === 'apis/apps/v1' ? resourceRoute(rest, 'deployments') : undefined;
  if (deployments) {
    const { namespace, name } = deployments;
    if (namespace !== undefined && name !== undefined) return { kind: 'deployment', namespace, name };
    return { kind: 'deployments', ...(namespace !== undefined ? { namespace } : {}) };
  }
  const routes = group === 'apis/gateway.networking.k8s.io/v1' ? resourceRoute(rest, 'httproutes') : undefined;
  if (routes) {
    const { namespace, name } = routes;
    if (namespace !== undefined && name !== undefined) return { kind: 'httproute', namespace, name };
    return { kind: 'httproutes', ...(namespace !== undefined ? { namespace } : {}) };
  }
  return { kind: 'unknown' };
}

export interface KubeRequest {
  ctx: KubeApiContext;
  req: IncomingMessage;
  res: ServerResponse;
  cluster: Cluster;
  method: string;
  query: URLSearchParams;
  contentType: string;
  body: Json;
  /** Set when the body is empty or not JSON. */
  bodyError: string | undefined;
  /** Set when an injected HTTP fault delayed the request. */
  faultNote: string | undefined;
  /** Records a deployment PATCH in the patch log (no-op for other requests). */
  log: (extra: Pick<PatchLogEntry, 'changedSpec'> & Partial<PatchLogEntry>) => void;
}

/** Handles one request for `/regions/{region}{path}` or `/edge{path}`. */
export async function handleKube(
  ctx: KubeApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  cluster: Cluster,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const { state } = ctx;
  const method = (req.method ?? 'GET').toUpperCase();
  const r = route(path);
  const contentType = (req.headers['content-type'] ?? '').toString();

  let rawBody: string;
  try {
    rawBody = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return sendStatus(res, 413, err.message);
    throw err;
  }
  let body: Json = rawBody;
  let bodyError: string | undefined = rawBody === '' ? 'empty request body' : undefined;
  if (rawBody !== '') {
    try {
      body = parseJson(rawBody);
    } catch (err) {
      bodyError = err instanceof Error ? err.message : String(err);
    }
  }
  const k: KubeRequest = {
    ctx,
    req,
    res,
    cluster,
    method,
    query,
    contentType,
    body,
    bodyError,
    faultNote: undefined,
    log: () => undefined,
  };
  if (cluster.kind === 'region' && method === 'PATCH' && r.kind === 'deployment') k.log = patchLogger(k, cluster.region, r);

  if (cluster.kind === 'region') {
    const { region } = cluster;
    if (!state.hasRegion(region)) {
      k.log({ changedSpec: false, rejected: 404, message: `region "${region}" not found` });
      return sendStatus(res, 404, `region "${region}" not found`);
    }
    const fault = state.httpFaults.take(region, method);
    if (fault?.delayMs) {
      await sleep(fault.delayMs, ctx.signal);
      k.faultNote = `delay ${fault.delayMs}ms`;
    }
    if (fault?.status) {
      const note = k.faultNote ? `${k.faultNote}, status ${fault.status}` : `status ${fault.status}`;
      const message = `injected fault: ${method} ${path} answered with ${fault.status}`;
      k.log({ changedSpec: false, rejected: fault.status, message, fault: note });
      return sendStatus(res, fault.status, message);
    }
  }

  if (ctx.token !== undefined && req.headers.authorization !== `Bearer ${ctx.token}`) {
    k.log({ changedSpec: false, rejected: 401, message: 'Unauthorized', ...(k.faultNote ? { fault: k.faultNote } : {}) });
    return sendStatus(res, 401, 'Unauthorized');
  }

  switch (r.kind) {
    case 'version':
      return sendJson(res, 200, VERSION_INFO);
    case 'health':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    case 'discovery':
      if (method !== 'GET') return sendStatus(res, 405, 'the server does not allow this method on the requested resource');
      return sendJson(res, 200, r.doc);
    case 'events':
      if (method !== 'GET') return sendStatus(res, 405, 'the server does not allow this method on the requested resource');
      return sendJson(res, 200, { kind: 'EventList', apiVersion: 'v1', metadata: { resourceVersion: state.resourceVersion() }, items: [] });
    case 'namespace': {
      // kubectl reads the namespace after a NotFound to tell which one is missing
      const names =
        cluster.kind === 'edge' ? state.routes.list().map((x) => x.namespace) : state.list(cluster.region).map((d) => d.namespace);
      if (method !== 'GET') return sendStatus(res, 405, 'the server does not allow this method on the requested resource');
      if (r.name !== 'default' && !names.includes(r.name)) {
        return sendStatus(res, 404, `namespaces "${r.name}" not found`, 'NotFound', { name: r.name, kind: 'namespaces' });
      }
      return sendJson(res, 200, {
        kind: 'Namespace',
        apiVersion: 'v1',
        metadata: { name: r.name },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
    case 'unknown':
      return sendStatus(res, 404, 'the server could not find the requested resource');
    case 'deployment':
    case 'deployments':
      return handleDeployments(k, r);
    case 'httproute':
    case 'httproutes':
      return handleHttpRoutes(k, r);
  }
}

function patchLogger(k: KubeRequest, region: string, target: { namespace: string; name: string }): KubeRequest['log'] {
  const { state } = k.ctx;
  return (extra) => {
    const { namespace, name } = target;
    const d = state.hasRegion(region) ? state.get(region, namespace, name) : undefined;
    state.appendLog({
      region,
      namespace,
      name,
      contentType: k.contentType,
      body: k.body,
      generation: d ? d.generation : null,
      resourceVersion: d ? String(d.resourceVersion) : null,
      images: d ? imagesOfDeployment(d.spec) : {},
      labels: d ? templateLabels(d.spec) : {},
      ...extra,
    });
  };
}
