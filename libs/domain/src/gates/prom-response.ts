/** Parsing the JSON of Prometheus' /api/v1/query (instant query) into a QueryResult. */
import { parseSampleValue, type QueryResult, type SeriesValue } from './types.js';

/** warnings / infos: what Prometheus said beside a successful answer (kept with the evaluation). */
type Parsed = { ok: true; result: QueryResult; warnings: string[]; infos: string[] } | { ok: false; error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The error part of a Prometheus answer `{"status":"error","errorType":…,"error":…}`, if any. */
export function promErrorOf(body: unknown): { errorType: string; error: string } | null {
  if (!isRecord(body) || body['status'] !== 'error') return null;
  const errorType = typeof body['errorType'] === 'string' ? body['errorType'] : 'unknown';
  const error = typeof body['error'] === 'string' ? body['error'] : 'no error message';
  return { errorType, error };
}

/** `[<unix time>, "<value>"]` → number, or an error string. */
function sample(pair: unknown, where: string): number | string {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== 'string') {
    return `malformed sample in ${where}: expected [time, "value"]`;
  }
  const n = parseSampleValue(pair[1]);
  return n === undefined ? `malformed sample value ${JSON.stringify(pair[1])} in ${where}` : n;
}

/** A null-prototype record, so a label named `__proto__` is an ordinary key (kept, stored, shown). */
function labelsOf(metric: unknown): Record<string, string> | null {
  if (metric === undefined) return Object.create(null) as Record<string, string>;
  if (!isRecord(metric)) return null;
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(metric)) {
    if (typeof v !== 'string') return null;
    out[k] = v;
  }
  return out;
}

/** `warnings` / `infos` of an answer: the strings kept, anything else ignored. */
function notes(body: Record<string, unknown>, key: string): string[] {
  const v = body[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Prometheus /api/v1/query JSON → QueryResult, with the answer's `warnings` and `infos`.
 * Sample values are strings: decimal numbers, "NaN", "+Inf", "-Inf". Never throws.
 */
export function parsePromResponse(body: unknown): Parsed {
  if (!isRecord(body)) return { ok: false, error: 'response is not a JSON object' };
  const promError = promErrorOf(body);
  if (promError) return { ok: false, error: `${promError.errorType}: ${promError.error}` };
  if (body['status'] !== 'success') return { ok: false, error: `unexpected status ${JSON.stringify(body['status'])}` };
  const parsed = parseData(body['data']);
  return parsed.ok ? { ...parsed, warnings: notes(body, 'warnings'), infos: notes(body, 'infos') } : parsed;
}

function parseData(data: unknown): { ok: true; result: QueryResult } | { ok: false; error: string } {
  if (!isRecord(data)) return { ok: false, error: 'response has no data object' };
  const type = data['resultType'];
  const result = data['result'];
  switch (type) {
    case 'vector': {
      if (!Array.isArray(result)) return { ok: false, error: 'vector result is not a list' };
      const series: SeriesValue[] = [];
      for (const [i, item] of result.entries()) {
        if (!isRecord(item)) return { ok: false, error: `vector element ${i} is not an object` };
        const labels = labelsOf(item['metric']);
        if (!labels) return { ok: false, error: `vector element ${i} has malformed labels` };
        const value = sample(item['value'], `vector element ${i}`);
        if (typeof value === 'string') return { ok: false, error: value };
        series.push({ labels, value });
      }
      return { ok: true, result: { kind: 'vector', series } };
    }
    case 'scalar': {
      const value = sample(result, 'scalar result');
      if (typeof value === 'string') return { ok: false, error: value };
      return { ok: true, result: { kind: 'scalar', value } };
    }
    case 'matrix':
      return { ok: true, result: { kind: 'matrix' } };
    case 'string': {
      if (!Array.isArray(result) || typeof result[1] !== 'string') return { ok: false, error: 'malformed string result' };
      return { ok: true, result: { kind: 'string', value: result[1] } };
    }
    default:
      return { ok: false, error: `unknown resultType ${JSON.stringify(type)}` };
  }
}
