/** Reads GET /v1/stream with fetch (bearer header, optional Last-Event-ID) and parses its messages. */
import { TEST_TOKEN } from './auth.js';

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
  /** bytes of the message on the wire */
  bytes: number;
}

export interface SseReader {
  status: number;
  /** the next message (waits up to timeoutMs) */
  next(timeoutMs?: number): Promise<SseMessage>;
  close(): void;
}

export async function openSse(base: string, path: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const ctrl = new AbortController();
  const res = await fetch(`${base}${path}`, {
    headers: { authorization: `Bearer ${TEST_TOKEN}`, accept: 'text/event-stream', ...headers },
    signal: ctrl.signal,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queue: SseMessage[] = [];
  async function fill(deadline: number): Promise<void> {
    while (queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no stream message in time');
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), left))]);
      if (chunk === null) continue;
      if (chunk.done) throw new Error('stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = { id: null as string | null, event: 'message', data: [] as string[] };
        for (const line of raw.split('\n')) {
          const i = line.indexOf(':');
          if (i === 0) continue;
          const [k, v] = i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1).replace(/^ /, '')];
          if (k === 'id') fields.id = v;
          else if (k === 'event') fields.event = v;
          else if (k === 'data') fields.data.push(v);
        }
        if (fields.data.length > 0)
          queue.push({ id: fields.id, event: fields.event, data: fields.data.join('\n'), bytes: Buffer.byteLength(raw) + 2 });
      }
    }
  }
  return {
    status: res.status,
    async next(timeoutMs = 30_000) {
      await fill(Date.now() + timeoutMs);
      return queue.shift()!;
    },
    close: () => ctrl.abort(),
  };
}
