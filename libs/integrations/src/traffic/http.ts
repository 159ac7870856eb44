/** One HTTP call for the traffic providers (through the destination's HttpClient): failures as TrafficError. */
import { TrafficError } from '#application';
import type { HttpAnswer, HttpClient } from '../http/client.js';
import { describeHttpFailure } from '../http/failure.js';
import { displayUrl, snippet, splitCredentials } from '../http/url.js';

export interface CallInit {
  method: 'GET' | 'POST' | 'PUT';
  headers: Record<string, string>;
  body?: string;
}

/** user:password in the URL becomes a Basic Authorization header (an explicit one wins). */
export async function call(what: string, client: HttpClient, url: string, init: CallInit, timeoutMs: number): Promise<HttpAnswer> {
  const { url: target, authorization } = splitCredentials(url);
  const hasAuth = Object.keys(init.headers).some((k) => k.toLowerCase() === 'authorization');
  const headers = { ...(authorization && !hasAuth ? { authorization } : {}), ...init.headers };
  const result = await client.send({ ...init, url: target, headers, timeoutMs });
  if (!result.ok) throw new TrafficError(describeHttpFailure(what, displayUrl(url), result.failure));
  return result;
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
