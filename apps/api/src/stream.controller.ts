/**
 * GET /v1/stream: server-sent events fed from release_events in commit order. Each message is
 * a delta — the event, its release row and the changed region target — never the whole
 * release. `Last-Event-ID` resumes after the last message received.
 */
import { Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GetRelease } from '#application';
import type { FeedCursor, FeedItem } from '#persistence';
import { Scopes } from './auth.js';
import { EventFeed, formatCursor, parseCursor } from './event-feed.js';
import { eventView, releaseView, targetView } from './presenters.js';
import { LastEventId, StreamQuery } from './stream-dto.js';
import { parseOrThrow } from './validation.js';

const HEARTBEAT_MS = 15_000;
/** A client this far behind is dropped; it reconnects with Last-Event-ID. */
const MAX_BUFFERED = 4 * 1024 * 1024;

export function streamMessage(item: FeedItem): string {
  const data = { event: eventView(item.event), release: releaseView(item.release), target: item.target && targetView(item.target) };
  return `id: ${formatCursor(item.cursor)}\nevent: change\ndata: ${JSON.stringify(data)}\n\n`;
}

@Controller('v1/stream')
export class StreamController {
  constructor(
    @Inject(EventFeed) private readonly feed: EventFeed,
    @Inject(GetRelease) private readonly getRelease: GetRelease,
  ) {}

  @Get()
  @Scopes('read')
  async stream(
    @Query() query: unknown,
    @Headers('last-event-id') lastEventId: unknown,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ) {
    const q = parseOrThrow(StreamQuery, query);
    const from = parseCursor(parseOrThrow(LastEventId, lastEventId, 'Last-Event-ID'));
    if (q.release) await this.getRelease.execute(q.release); // 404 for an unknown release
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    let open = true;
    const write = (chunk: string) => {
      if (!open) return;
      res.write(chunk);
      if (res.writableLength > MAX_BUFFERED) res.end();
    };
    const sub = {
      ...(q.release ? { releaseId: q.release } : {}),
      send: (items: FeedItem[]) => write(items.map(streamMessage).join('')),
      reset: () => write('event: reset\ndata: {}\n\n'),
      ready: (cursor: FeedCursor) =>
        write(`id: ${formatCursor(cursor)}\nevent: ready\ndata: ${JSON.stringify({ cursor: formatCursor(cursor) })}\n\n`),
    };
    const close = await this.feed.subscribe(sub, from);
    const heartbeat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
    const done = () => {
      open = false;
      clearInterval(heartbeat);
      close();
    };
    req.on('close', done);
    res.on('close', done);
    if (res.destroyed) done();
  }
}
