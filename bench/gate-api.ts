/** The gate bench's view of the API: the bodies it reads and the calls it makes (bench/gate-reaction.ts). */
import type { EventView, GatesView } from '#view-types';
import { sleep } from './support.js';
import { benchHeaders } from './token.js';

export interface ReleaseBody {
  id: string;
  state: string;
  stateReason: string | null;
  stages: Array<{ name: string; regions: Array<{ region: string; state: string; reason: string | null }> }>;
}
export async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: benchHeaders(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Every stored evaluation (paged) and the gates' status. */
export async function allGates(base: string, id: string): Promise<GatesView> {
  const first = await api<GatesView>(base, 'GET', `/v1/releases/${id}/gates?limit=1000`);
  const evaluations = [...first.evaluations];
  let after = first.nextAfter;
  while (after) {
    const page = await api<GatesView>(base, 'GET', `/v1/releases/${id}/gates?limit=1000&after=${after}`);
    evaluations.push(...page.evaluations);
    after = page.nextAfter;
  }
  return { gates: first.gates, evaluations, nextAfter: null };
}

export async function allEvents(base: string, id: string): Promise<EventView[]> {
  const out: EventView[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await api<{ items: EventView[] }>(base, 'GET', `/v1/releases/${id}/events?limit=1000${after ? `&after=${after}` : ''}`);
    out.push(...page.items);
    if (page.items.length < 1000) return out;
    after = page.items.at(-1)!.id;
  }
}

export async function waitRelease(
  base: string,
  id: string,
  done: (r: ReleaseBody) => boolean,
  what: string,
  timeoutMs: number,
): Promise<ReleaseBody> {
  const deadline = Date.now() + timeoutMs;
  let last: ReleaseBody | undefined;
  while (Date.now() < deadline) {
    last = await api<ReleaseBody>(base, 'GET', `/v1/releases/${id}`);
    if (done(last)) return last;
    await sleep(50);
  }
  throw new Error(`release ${id}: ${what} not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}
