/** Tiny HTTP helpers for the API under test. */

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
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
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

export async function waitForRelease(base: string, id: string, done: (r: ReleaseBody) => boolean, timeoutMs = 60_000): Promise<ReleaseBody> {
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
