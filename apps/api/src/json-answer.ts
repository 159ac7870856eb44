/**
 * A write's JSON answer sent as it is: its text with Content-Type and Content-Length, and
 * nothing Express's `res.send` adds for a cacheable read — no copy of the text into a Buffer to
 * hash it into an ETag (a write's answer is never revalidated). bench:api, POST (issue 13): the
 * API's CPU per create 0.63–0.72 → 0.51–0.56 ms (api-latency-2026-12-03-7.md → -8.md).
 */
import type { ServerResponse } from 'node:http';

export const JSON_TYPE = 'application/json; charset=utf-8';

export function answerJson(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
