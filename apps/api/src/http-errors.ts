/**
 * Errors raised before a controller runs, as problem+json naming what is at fault: the body
 * parser's (malformed JSON, too large, unknown Content-Encoding or charset, not UTF-8) and
 * Node's own HTTP parser's (bad request line or headers, headers too large), which answer on
 * the raw socket and close it.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUtf8 } from 'node:buffer';
import { problem, sendProblem, type Problem } from './problem.filter.js';

interface BodyError {
  status?: number;
  type?: string;
  code?: string;
  message?: string;
  limit?: number;
}

/** The body-parser failure as a problem (always a 4xx). */
export function bodyProblem(err: BodyError): Problem {
  switch (err.type) {
    case 'entity.parse.failed':
      return problem(400, `request body is not valid JSON: ${err.message ?? ''}`, [{ field: '(body)', message: 'must be valid JSON' }]);
    case 'entity.verify.failed':
      return problem(400, 'request body is not valid UTF-8', [{ field: '(body)', message: 'must be valid UTF-8' }]);
    case 'entity.too.large':
      return problem(413, `request body is larger than ${err.limit ?? 'the limit'} bytes`, [
        { field: '(body)', message: `must be at most ${err.limit ?? ''} bytes` },
      ]);
    case 'encoding.unsupported':
      return problem(415, err.message ?? 'unsupported content encoding', [
        { field: 'Content-Encoding', message: 'must be identity, gzip, deflate or br' },
      ]);
    case 'charset.unsupported':
      return problem(415, err.message ?? 'unsupported charset', [
        { field: 'Content-Type', message: 'must be application/json (charset utf-8)' },
      ]);
    case 'request.size.invalid':
      return problem(400, 'the body is not as long as Content-Length says', [
        { field: 'Content-Length', message: 'must be the length of the body' },
      ]);
    case 'request.aborted':
      return problem(400, 'the request body was cut off', [{ field: '(body)', message: 'must be sent whole' }]);
  }
  if (err.code?.startsWith('Z_') || /incorrect header check|unexpected end of file|invalid|decompress/i.test(err.message ?? '')) {
    return problem(400, 'the body does not decode with its Content-Encoding', [
      { field: 'Content-Encoding', message: 'must match how the body is encoded' },
    ]);
  }
  const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
  return problem(status, 'the request body could not be read', [{ field: '(body)', message: 'could not be read' }]);
}

/** Express error middleware for the body parser. */
export function bodyErrors() {
  return (err: BodyError | undefined, _req: IncomingMessage, res: ServerResponse, next: (e?: unknown) => void): void => {
    if (!err) return next();
    sendProblem(res, bodyProblem(err));
  };
}

/** express.json `verify`: the bytes must be UTF-8 (a decoder would replace bad bytes silently). */
export function verifyUtf8(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  if (!isUtf8(buf)) throw Object.assign(new Error('request body is not valid UTF-8'), { status: 400, type: 'entity.verify.failed' });
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'the request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request was not received in time'],
  HPE_HEADERS_TIMEOUT: [408, 'Request Timeout', 'the request headers were not received in time'],
};

/** Answers what Node's HTTP parser refuses with problem+json (never the raw packet: it may hold a token), then closes. */
export function answerClientErrors(server: Server, log: { debug(o: object, m?: string): void }): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    log.debug({ code: err.code ?? null }, 'HTTP parser refused a request');
    const busy = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (err.code === 'ECONNRESET' || !socket.writable || busy) {
      socket.destroy();
      return;
    }
    const [status, title, detail] = CLIENT_ERRORS[err.code ?? ''] ?? [
      400,
      'Bad Request',
      `the request is not valid HTTP (${err.code ?? 'parse error'})`,
    ];
    const field = status === 431 || /HEADER|CONTENT_LENGTH|TRANSFER_ENCODING|CHUNK/.test(err.code ?? '') ? '(headers)' : '(request)';
    const body = JSON.stringify({
      ...problem(status, detail, [{ field, message: status === 431 ? 'must be smaller' : 'must be valid HTTP/1.1' }]),
      title,
    });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
