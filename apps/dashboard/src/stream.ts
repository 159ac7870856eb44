/**
 * The live stream (GET /v1/stream) read with fetch, so the bearer token goes in a header and
 * never in the URL (EventSource cannot send one). Reconnects resume with Last-Event-ID.
 */
import { fetchEventSource } from '@microsoft/fetch-event-source';
import type { StreamChangeView } from '#view-types';
import type { Api } from './api.js';

export interface StreamHandlers {
  /** subscribed: load the snapshot now (changes after it arrive through onChange) */
  onReady(): void;
  onChange(change: StreamChangeView): void;
  /** too far behind to resume: reload everything */
  onReset(): void;
  onStatus?(live: boolean): void;
}

class Fatal extends Error {}

export function openStream(api: Api, releaseId: string | null, h: StreamHandlers): () => void {
  const ctrl = new AbortController();
  const url = releaseId ? `/v1/stream?release=${encodeURIComponent(releaseId)}` : '/v1/stream';
  void fetchEventSource(url, {
    headers: api.headers({ accept: 'text/event-stream' }),
    signal: ctrl.signal,
    openWhenHidden: true,
    async onopen(res) {
      if (res.ok && res.headers.get('content-type')?.startsWith('text/event-stream')) {
        h.onStatus?.(true);
        return;
      }
      if (res.status === 401 || res.status === 403 || res.status === 404 || res.status === 400)
        throw new Fatal(`stream refused: ${res.status}`);
      throw new Error(`stream: HTTP ${res.status}`);
    },
    onmessage(msg) {
      if (msg.event === 'ready') h.onReady();
      else if (msg.event === 'change') h.onChange(JSON.parse(msg.data) as StreamChangeView);
      else if (msg.event === 'reset') h.onReset();
    },
    onclose() {
      h.onStatus?.(false);
      // the server ended it (too far behind, or restarting): reconnect and resume
      throw new Error('stream closed');
    },
    onerror(err) {
      h.onStatus?.(false);
      if (err instanceof Fatal) throw err;
      return 1000;
    },
  }).catch(() => undefined);
  return () => ctrl.abort();
}
