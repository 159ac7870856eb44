/** The simulator's own control API under `/sim` (JSON), used by tests, the demo and benchmarks. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequest, field, isBool, isInt, isStr, isStrArray, isStrMap, jsonBody, onlyFields, required } from './control-util.js';
import { handleTrafficControl } from './control-traffic.js';
import { BodyTooLargeError, sendJson } from './http-util.js';
import type { JsonObject } from './json.js';
import { simulatorKubeconfig } from './kubeconfig.js';
import type { HttpFaultSpec } from './faults.js';
import type { SimState } from './state.js';

export interface ControlApiContext {
  state: SimState;
  url: () => string;
  token?: string;
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function parseFault(body: JsonObject): HttpFaultSpec {
  const spec: HttpFaultSpec = {};
  const region = field(body, 'region', isStr, 'a string');
  const method = field(body, 'method', isStr, 'a string');
  const status = field(body, 'status', isInt, 'an HTTP status code');
  const delayMs = field(body, 'delayMs', isInt, 'a non-negative integer');
  const count = field(body, 'count', isInt, 'a non-negative integer');
  if (status !== undefined && (status < 100 || status > 599)) throw new BadRequest('"status" must be an HTTP status code');
  if (status === undefined && delayMs === undefined) throw new BadRequest('a fault needs "status" and/or "delayMs"');
  if (region !== undefined) spec.region = region;
  if (method !== undefined) spec.method = method;
  if (status !== undefined) spec.status = status;
  if (delayMs !== undefined) spec.delayMs = delayMs;
  if (count !== undefined) spec.count = count;
  return spec;
}

/** Handles `/sim/...`; `path` is the part after `/sim`. */
export async function handleControl(
  ctx: ControlApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const { state } = ctx;
  const method = (req.method ?? 'GET').toUpperCase();
  const seg = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const at = `${method} /${seg.join('/')}`;
  try {
    switch (at) {
      case 'GET /patches': {
        const filter: { region?: string; namespace?: string; name?: string } = {};
        for (const k of ['region', 'namespace', 'name'] as const) {
          const v = query.get(k);
          if (v !== null) filter[k] = v;
        }
        return sendJson(res, 200, { items: state.patchLog(filter) });
      }
      case 'GET /bad-images':
        return sendJson(res, 200, { items: state.badImages.list() });
      case 'POST /bad-images': {
        const body = await jsonBody(req);
        const image = required(field(body, 'image', isStr, 'a string'), 'image');
        const regions = field(body, 'regions', isStrArray, 'an array of region names');
        state.badImages.mark(image, regions);
        return sendJson(res, 200, { items: state.badImages.list() });
      }
      case 'DELETE /bad-images':
        state.badImages.clear();
        return sendJson(res, 200, { items: [] });
      case 'GET /http-faults':
        return sendJson(res, 200, { items: state.httpFaults.pending() });
      case 'POST /http-faults': {
        const fault = state.httpFaults.add(parseFault(await jsonBody(req)));
        return sendJson(res, 201, fault);
      }
      case 'DELETE /http-faults':
        state.httpFaults.clear();
        return sendJson(res, 200, { items: [] });
      case 'GET /state':
        return sendJson(res, 200, state.snapshot());
      case 'POST /reset':
        state.reset();
        return sendJson(res, 200, { ok: true });
      case 'GET /gateway':
        return sendJson(res, 200, state.routes.getAcceptance());
      case 'PUT /gateway': {
        const body = await jsonBody(req);
        onlyFields(body, ['accepted', 'resolvedRefs', 'reason', 'message']);
        const reason = field(body, 'reason', isStr, 'a string');
        const message = field(body, 'message', isStr, 'a string');
        return sendJson(
          res,
          200,
          state.routes.setAcceptance({
            accepted: field(body, 'accepted', isBool, 'true or false') ?? true,
            resolvedRefs: field(body, 'resolvedRefs', isBool, 'true or false') ?? true,
            ...(reason !== undefined ? { reason } : {}),
            ...(message !== undefined ? { message } : {}),
          }),
        );
      }
      case 'GET /kubeconfig':
        return sendJson(res, 200, simulatorKubeconfig(ctx.url(), state.regionNames(), ctx.token));
    }
    if (await handleTrafficControl(state, req, res, method, seg)) return;
    if (seg.length === 5 && seg[0] === 'regions' && seg[2] === 'deployments') {
      const [, region = '', , namespace = '', name = ''] = seg;
      if (!state.hasRegion(region)) return sendJson(res, 404, { error: `region "${region}" not found` });
      if (method === 'GET') {
        const d = state.get(region, namespace, name);
        if (!d) return sendJson(res, 404, { error: `deployment ${namespace}/${name} not found in ${region}` });
        return sendJson(res, 200, state.summary(d));
      }
      if (method === 'PUT') {
        if (!DNS_NAME.test(namespace) || !DNS_NAME.test(name)) throw new BadRequest('invalid namespace or name');
        const body = await jsonBody(req);
        const seed = {
          namespace,
          name,
          container: required(field(body, 'container', isStr, 'a string'), 'container'),
          image: required(field(body, 'image', isStr, 'a string'), 'image'),
        };
        const replicas = field(body, 'replicas', isInt, 'a non-negative integer');
        const labels = field(body, 'labels', isStrMap, 'a map of strings');
        const d = state.seed(region, {
          ...seed,
          ...(replicas !== undefined ? { replicas } : {}),
          ...(labels !== undefined ? { labels } : {}),
        });
        return sendJson(res, 200, state.summary(d));
      }
    }
    return sendJson(res, 404, { error: `no such simulator endpoint: ${method} /sim${path}` });
  } catch (err) {
    if (err instanceof BadRequest) return sendJson(res, 400, { error: err.message });
    if (err instanceof BodyTooLargeError) return sendJson(res, 413, { error: err.message });
    throw err;
  }
}
