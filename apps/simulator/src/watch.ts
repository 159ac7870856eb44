/**
 * `?watch=true` for the simulated kube API: a stream of JSON watch events, one per line
 * (`{"type":"ADDED|MODIFIED|DELETED|BOOKMARK","object":{…}}`), as the API server sends them.
 *
 * Rollout status is computed from the clock on every read and does not move resourceVersion,
 * so the stream re-renders the watched objects every `intervalMs` and sends MODIFIED for each
 * object whose rendering changed. A watch from a given resourceVersion first sends every
 * matching object as MODIFIED (the simulator cannot tell which status changes the client has
 * seen; an extra MODIFIED is harmless to informers and to `kubectl rollout status`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from './json.js';

export interface WatchRequest {
  /** The current matching objects, rendered with kind and apiVersion. */
  list: () => JsonObject[];
  /** kind/apiVersion of the watched type (for BOOKMARK events). */
  kind: string;
  apiVersion: string;
  currentResourceVersion: () => string;
  query: URLSearchParams;
  signal: AbortSignal;
  intervalMs?: number;
}

export const DEFAULT_WATCH_INTERVAL_MS = 100;
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

export function isWatch(query: URLSearchParams): boolean {
  const w = query.get('watch');
  return w === 'true' || w === '1';
}

function keyOf(obj: JsonObject): string {
  const meta = obj['metadata'] as JsonObject | undefined;
  return `${String(meta?.['namespace'] ?? '')}/${String(meta?.['name'] ?? '')}`;
}

/** Streams watch events until the client leaves, `timeoutSeconds` pass or the simulator closes. */
export function serveWatch(w: WatchRequest, req: IncomingMessage, res: ServerResponse): void {
  const rv = w.query.get('resourceVersion');
  const initialEvents = w.query.get('sendInitialEvents') === 'true';
  const fromNow = rv === null || rv === '' || rv === '0' || initialEvents;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  const seen = new Map<string, string>();
  const send = (type: string, object: JsonObject): void => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  for (const obj of w.list()) {
    seen.set(keyOf(obj), JSON.stringify(obj));
    send(fromNow ? 'ADDED' : 'MODIFIED', obj);
  }
  if (initialEvents) {
    send('BOOKMARK', {
      kind: w.kind,
      apiVersion: w.apiVersion,
      metadata: { resourceVersion: w.currentResourceVersion(), annotations: { [INITIAL_EVENTS_END]: 'true' } },
    });
  }

  const tick = (): void => {
    // the simulator closing ends every connection (and so this stream); the check is for a tick in between
    if (res.writableEnded || res.destroyed || w.signal.aborted) return stop();
    const now = new Map(w.list().map((obj) => [keyOf(obj), obj] as const));
    for (const [key, obj] of now) {
      const text = JSON.stringify(obj);
      const before = seen.get(key);
      if (before === text) continue;
      seen.set(key, text);
      send(before === undefined ? 'ADDED' : 'MODIFIED', obj);
    }
    for (const [key, text] of seen) {
      if (now.has(key)) continue;
      seen.delete(key);
      send('DELETED', JSON.parse(text) as JsonObject);
    }
  };
  const timer = setInterval(tick, w.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS);
  const timeoutSeconds = Number(w.query.get('timeoutSeconds') ?? '');
  const deadline = Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? setTimeout(() => stop(), timeoutSeconds * 1000) : undefined;
  function stop(): void {
    clearInterval(timer);
    if (deadline) clearTimeout(deadline);
    if (!res.writableEnded) res.end();
  }
  req.on('close', stop);
  res.on('close', stop);
}
