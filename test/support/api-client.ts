/** Tiny HTTP helpers for the API under test. Requests carry the test token unless told otherwise. */
import { TEST_TOKEN } from './auth.js';

let defaultAuthorization: string | null = `Bearer ${TEST_TOKEN}`;
/** The Authorization header sent when a call gives none (null: send none). */
export function setDefaultAuthorization(value: string | null): void {
  defaultAuthorization = value;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  contentType: string;
  body: T;
}

export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  // an explicit authorization header (any case) wins; '' sends none
  const explicit = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  const sent = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(!explicit && defaultAuthorization !== null ? { authorization: defaultAuthorization } : {}),
      ...sent,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  // an event stream never ends: its status and headers are the answer
  const text = res.headers.get('content-type')?.startsWith('text/event-stream') ? (await res.body?.cancel(), '') : await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* leave as text */
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed as T };
}

export interface ReleaseBody {
  id: string;
  state: string;
  stateReason: string | null;
  stages: Array<{ name: string; regions: Array<{ region: string; state: string; reason: string | null }> }>;
}

export async function waitForRelease(
  base: string,
  id: string,
  done: (r: ReleaseBody) => boolean,
  timeoutMs = 60_000,
): Promise<ReleaseBody> {
  const deadline = Date.now() + timeoutMs;
  let last: ReleaseBody | undefined;
  while (Date.now() < deadline) {
    const res = await call<ReleaseBody>(base, 'GET', `/v1/releases/${id}`);
    if (res.status === 200) {
      last = res.body;
      if (done(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`release ${id} did not reach the expected state in ${timeoutMs}ms; last: ${JSON.stringify(last)}`);
}

export const TERMINAL = ['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded'];
