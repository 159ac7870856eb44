/**
 * The simulated global load balancer's HTTP API (what Tideline's "simulator" traffic provider
 * calls). Stable contract:
 *
 *   GET /lb/regions            200 {"regions":[{"region":"eu-west","weight":100,"targetWeight":100}, ...]}
 *   GET /lb/regions/{region}   200 {"region":"eu-west","weight":100,"targetWeight":100}
 *   PUT /lb/regions/{region}   body {"weight": 0..100} → 200 the entry (weight starts ramping
 *                              towards targetWeight over the simulator's lbRampMs)
 *
 * `weight` is the current (ramped) weight, `targetWeight` where it is heading. Errors are JSON
 * `{"error": "..."}`: 400 for a bad body (the field is named), 404 for an unknown region or
 * path, 405 for another method, 401 without `Authorization: Bearer <token>` when the simulator
 * was started with a token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequest, field, isNum, jsonBody, onlyFields, required } from './control-util.js';
import { BodyTooLargeError, sendJson } from './http-util.js';
import type { SimState } from './state.js';

export interface LbApiContext {
  state: SimState;
  token?: string;
}

/** Handles `/lb...`; `path` is the part after `/lb`. */
export async function handleLb(ctx: LbApiContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const { state } = ctx;
  const method = (req.method ?? 'GET').toUpperCase();
  if (ctx.token !== undefined && req.headers.authorization !== `Bearer ${ctx.token}`) {
    return sendJson(res, 401, { error: 'Unauthorized: a bearer token is required' });
  }
  const seg = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  if (seg[0] !== 'regions' || seg.length > 2) return sendJson(res, 404, { error: `not found: /lb${path}` });
  const now = state.now();
  const lb = state.traffic.lb;
  if (seg.length === 1) {
    if (method !== 'GET') return sendJson(res, 405, { error: `method ${method} not allowed on /lb/regions` });
    return sendJson(res, 200, { regions: lb.entries(now) });
  }
  const region = seg[1] ?? '';
  if (!lb.has(region)) return sendJson(res, 404, { error: `region "${region}" not found` });
  if (method === 'GET') return sendJson(res, 200, lb.entry(region, now));
  if (method !== 'PUT') return sendJson(res, 405, { error: `method ${method} not allowed on /lb/regions/${region}` });
  try {
    const body = await jsonBody(req);
    onlyFields(body, ['weight']);
    const weight = required(field(body, 'weight', isNum, 'a number from 0 to 100'), 'weight');
    if (weight < 0 || weight > 100) throw new BadRequest('"weight" must be a number from 0 to 100');
    state.traffic.setWeight(region, weight, now);
    return sendJson(res, 200, lb.entry(region, now));
  } catch (err) {
    if (err instanceof BadRequest) return sendJson(res, 400, { error: err.message });
    if (err instanceof BodyTooLargeError) return sendJson(res, 413, { error: err.message });
    throw err;
  }
}
