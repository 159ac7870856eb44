/**
 * The subset of the Kubernetes API served per region under `/regions/{region}`:
 * apps/v1 Deployments get / list / patch, plus /version and health endpoints.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { patchDeployment } from './apply-patch.js';
import { imagesOf, templateLabels } from './deployment.js';
import { parseJson, type Json } from './json.js';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './label-selector.js';
import { CONTENT_TYPES, patchTypeOf } from './patch.js';
import type { PatchLogEntry, SimState } from './state.js';
import { BodyTooLargeError, readBody, sendJson, sendStatus, sleep } from './http-util.js';

export interface KubeApiContext {
  state: SimState;
  token?: string;
  /** Aborted when the simulator closes (cuts injected delays short). */
  signal: AbortSignal;
}

type Route =
  | { kind: 'deployment'; namespace: string; name: string }
  | { kind: 'list'; namespace?: string }
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'unknown' };

function route(path: string): Route {
  const seg = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  if (seg.length === 1 && seg[0] === 'version') return { kind: 'version' };
  if (seg.length === 1 && ['healthz', 'readyz', 'livez'].includes(seg[0] ?? '')) return { kind: 'health' };
  if (seg[0] !== 'apis' || seg[1] !== 'apps' || seg[2] !== 'v1') return { kind: 'unknown' };
  const rest = seg.slice(3);
  if (rest.length === 1 && rest[0] === 'deployments') return { kind: 'list' };
  if (rest[0] !== 'namespaces' || rest[2] !== 'deployments' || !rest[1]) return { kind: 'unknown' };
  if (rest.length === 3) return { kind: 'list', namespace: rest[1] };
  if (rest.length === 4 && rest[3]) return { kind: 'deployment', namespace: rest[1], name: rest[3] };
  return { kind: 'unknown' };
}

function notFound(res: ServerResponse, name: string): void {
  sendStatus(res, 404, `deployments.apps "${name}" not found`, 'NotFound', { name, group: 'apps', kind: 'deployments' });
}

/** Handles one request for `/regions/{region}{path}`. */
export async function handleKube(
  ctx: KubeApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  region: string,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const { state } = ctx;
  const method = (req.method ?? 'GET').toUpperCase();
  const r = route(path);
  const patchTarget = method === 'PATCH' && r.kind === 'deployment' ? r : undefined;
  const contentType = (req.headers['content-type'] ?? '').toString();

  let rawBody = '';
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

  const log = (extra: Pick<PatchLogEntry, 'changedSpec'> & Partial<PatchLogEntry>): void => {
    if (!patchTarget) return;
    const { namespace, name } = patchTarget;
    const d = state.hasRegion(region) ? state.get(region, namespace, name) : undefined;
    state.appendLog({
      region,
      namespace,
      name,
      contentType,
      body,
      generation: d ? d.generation : null,
      resourceVersion: d ? String(d.resourceVersion) : null,
      images: d ? imagesOf(d.spec) : {},
      labels: d ? templateLabels(d.spec) : {},
      ...extra,
    });
  };
  const reject = (code: number, message: string, fault?: string): void => {
    log({ changedSpec: false, rejected: code, message, ...(fault ? { fault } : {}) });
  };

  if (!state.hasRegion(region)) {
    reject(404, `region "${region}" not found`);
    return sendStatus(res, 404, `region "${region}" not found`);
  }

  const fault = state.httpFaults.take(region, method);
  let faultNote: string | undefined;
  if (fault?.delayMs) {
    await sleep(fault.delayMs, ctx.signal);
    faultNote = `delay ${fault.delayMs}ms`;
  }
  if (fault?.status) {
    const note = faultNote ? `${faultNote}, status ${fault.status}` : `status ${fault.status}`;
    const message = `injected fault: ${method} ${path} answered with ${fault.status}`;
    reject(fault.status, message, note);
    return sendStatus(res, fault.status, message);
  }
  const withFault = faultNote ? { fault: faultNote } : {};

  if (ctx.token !== undefined && req.headers.authorization !== `Bearer ${ctx.token}`) {
    log({ changedSpec: false, rejected: 401, message: 'Unauthorized', ...withFault });
    return sendStatus(res, 401, 'Unauthorized');
  }

  switch (r.kind) {
    case 'version':
      return sendJson(res, 200, { major: '1', minor: '30', gitVersion: 'v1.30.0-tideline-sim', platform: 'simulator' });
    case 'health':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    case 'unknown':
      return sendStatus(res, 404, 'the server could not find the requested resource');
    case 'list': {
      if (method !== 'GET') return sendStatus(res, 405, 'the server does not allow this method on the requested resource');
      if (query.get('watch') === 'true' || query.get('watch') === '1') {
        return sendStatus(res, 400, 'watch is not supported by the region simulator');
      }
      let matchLabels: ReturnType<typeof parseLabelSelector>;
      let matchFields: ReturnType<typeof parseFieldSelector>;
      try {
        matchLabels = parseLabelSelector(query.get('labelSelector'));
        matchFields = parseFieldSelector(query.get('fieldSelector'));
      } catch (err) {
        if (err instanceof SelectorError) return sendStatus(res, 400, err.message);
        throw err;
      }
      const items = state
        .list(region, r.namespace)
        .filter((d) => matchLabels(d.labels))
        .filter((d) => matchFields({ 'metadata.name': d.name, 'metadata.namespace': d.namespace }))
        .map((d) => state.render(d, false));
      return sendJson(res, 200, {
        kind: 'DeploymentList',
        apiVersion: 'apps/v1',
        metadata: { resourceVersion: state.resourceVersion() },
        items,
      });
    }
    case 'deployment': {
      const d = state.get(region, r.namespace, r.name);
      if (method === 'GET') return d ? sendJson(res, 200, state.render(d)) : notFound(res, r.name);
      if (method !== 'PATCH') return sendStatus(res, 405, 'the server does not allow this method on the requested resource');
      const type = patchTypeOf(contentType);
      if (!type) {
        const message = `the body of the request was in an unknown format - accepted media types include: ${Object.values(CONTENT_TYPES).join(', ')}`;
        reject(415, message, faultNote);
        return sendStatus(res, 415, message);
      }
      if (bodyError !== undefined) {
        reject(400, bodyError, faultNote);
        return sendStatus(res, 400, `error decoding patch: ${bodyError}`);
      }
      if (!d) {
        reject(404, `deployments.apps "${r.name}" not found`, faultNote);
        return notFound(res, r.name);
      }
      const outcome = patchDeployment(state, region, d, type, body);
      if (!outcome.ok) {
        reject(outcome.code, outcome.message, faultNote);
        return sendStatus(res, outcome.code, outcome.message, outcome.reason);
      }
      log({ changedSpec: outcome.changedSpec, ...withFault });
      return sendJson(res, 200, state.render(d));
    }
  }
}
