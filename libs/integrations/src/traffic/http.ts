/** One HTTP call for the traffic providers: timeout, and network failures as TrafficError. */
import { displayUrl, isTimeout, networkErrorCode, snippet, splitCredentials } from '../prometheus/http-util.js';
import { TrafficError } from './errors.js';

export interface HttpAnswer {
  status: number;
  text: string;
}

export interface CallInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** user:password in the URL becomes a Basic Authorization header (fetch refuses such URLs). */
export async function call(what: string, url: string, init: CallInit, timeoutMs: number, fetchImpl: typeof fetch): Promise<HttpAnswer> {
  const ms = Math.max(1, Math.round(timeoutMs));
  const { url: target, authorization } = splitCredentials(url);
  const hasAuth = Object.keys(init.headers).some((k) => k.toLowerCase() === 'authorization');
  const headers = { ...(authorization && !hasAuth ? { authorization } : {}), ...init.headers };
  try {
    const res = await fetchImpl(target, { ...init, headers, signal: AbortSignal.timeout(ms) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    if (isTimeout(err)) throw new TrafficError(`${what} at ${displayUrl(url)} timed out after ${ms}ms`);
    throw new TrafficError(`${what} unreachable at ${displayUrl(url)}: ${networkErrorCode(err)}`);
  }
}

/** Throws a TrafficError naming the status and the answer unless it is 2xx. */
export function expect2xx(what: string, method: string, url: string, answer: HttpAnswer): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const body = snippet(answer.text);
  throw new TrafficError(`${what} answered ${answer.status} to ${method} ${displayUrl(url)}: ${body}`, answer.status, body);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Weights are percentages of a region's share of global traffic. */
export function checkWeight(weight: number): void {
  if (!Number.isFinite(weight) || weight < 0 || weight > 100) throw new TrafficError(`weight must be between 0 and 100, got ${weight}`);
}

export function weightField(body: unknown, field: string): number | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const v = (body as Record<string, unknown>)[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
