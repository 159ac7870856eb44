/**
 * Traffic parts of the `/sim` control API:
 *
 *   GET    /sim/traffic                    {"regions":[{region, rps, latencyMs, weight, targetWeight, effectiveRps}]}
 *   PUT    /sim/traffic/{region}           {"rps"?: n, "latencyMs"?: n} → the region's entry
 *   GET    /sim/version-faults             {"items":[{id, version, regions?, errorRate?, addedLatencyMs?, latencyFactor?, afterSeconds?}]}
 *   POST   /sim/version-faults             {version, regions?, errorRate?, addedLatencyMs?, latencyFactor?, afterSeconds?} → 201 the fault
 *   DELETE /sim/version-faults             clears them
 *   GET    /sim/alerts                     {"items":[{region, alert, firing}]}
 *   PUT    /sim/alerts/{region}/{alert}    {"firing": boolean} → {region, alert, firing}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequest, field, isBool, isNum, isStr, isStrArray, jsonBody, onlyFields, required } from './control-util.js';
import { sendJson } from './http-util.js';
import type { JsonObject } from './json.js';
import type { SimState } from './state.js';
import { TrafficError, type RegionTraffic } from './traffic.js';
import { VersionFaultError, type VersionFaultSpec } from './version-faults.js';

export function parseVersionFault(body: JsonObject): VersionFaultSpec {
  onlyFields(body, ['version', 'regions', 'errorRate', 'addedLatencyMs', 'latencyFactor', 'afterSeconds']);
  const spec: VersionFaultSpec = { version: required(field(body, 'version', isStr, 'a non-empty string'), 'version') };
  const regions = field(body, 'regions', isStrArray, 'an array of region names');
  if (regions !== undefined) spec.regions = regions;
  for (const key of ['errorRate', 'addedLatencyMs', 'latencyFactor', 'afterSeconds'] as const) {
    const v = field(body, key, isNum, 'a number');
    if (v !== undefined) spec[key] = v;
  }
  return spec;
}

function parseRegionTraffic(body: JsonObject): RegionTraffic {
  onlyFields(body, ['rps', 'latencyMs']);
  const spec: RegionTraffic = {};
  const rps = field(body, 'rps', isNum, 'a non-negative number');
  const latencyMs = field(body, 'latencyMs', isNum, 'a non-negative number');
  if (rps !== undefined) spec.rps = rps;
  if (latencyMs !== undefined) spec.latencyMs = latencyMs;
  return spec;
}

/** Handles the traffic endpoints; false when `method seg` is not one of them. */
export async function handleTrafficControl(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  seg: string[],
): Promise<boolean> {
  const { traffic } = state;
  const now = state.now();
  const at = `${method} /${seg[0] ?? ''}`;
  try {
    if (at === 'GET /traffic' && seg.length === 1) {
      sendJson(res, 200, { regions: state.regionNames().map((r) => traffic.regionState(r, now)) });
      return true;
    }
    if (at === 'PUT /traffic' && seg.length === 2) {
      const region = seg[1] ?? '';
      if (!state.hasRegion(region)) {
        sendJson(res, 404, { error: `region "${region}" not found` });
        return true;
      }
      sendJson(res, 200, traffic.setTraffic(region, parseRegionTraffic(await jsonBody(req)), now));
      return true;
    }
    if (seg.length === 1 && seg[0] === 'version-faults') {
      if (method === 'GET') sendJson(res, 200, { items: traffic.faults.list() });
      else if (method === 'POST') sendJson(res, 201, traffic.addFault(parseVersionFault(await jsonBody(req)), now));
      else if (method === 'DELETE') {
        traffic.clearFaults(now);
        sendJson(res, 200, { items: [] });
      } else return false;
      return true;
    }
    if (at === 'GET /alerts' && seg.length === 1) {
      sendJson(res, 200, { items: traffic.alerts.list() });
      return true;
    }
    if (at === 'PUT /alerts' && seg.length === 3) {
      const region = seg[1] ?? '';
      if (!state.hasRegion(region)) {
        sendJson(res, 404, { error: `region "${region}" not found` });
        return true;
      }
      const body = await jsonBody(req);
      onlyFields(body, ['firing']);
      const firing = required(field(body, 'firing', isBool, 'a boolean'), 'firing');
      traffic.setAlert(region, seg[2] ?? '', firing);
      sendJson(res, 200, { region, alert: seg[2] ?? '', firing });
      return true;
    }
    return false;
  } catch (err) {
    if (err instanceof TrafficError || err instanceof VersionFaultError) throw new BadRequest(err.message);
    throw err;
  }
}
