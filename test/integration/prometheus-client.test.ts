/** HttpPrometheus against a local HTTP server that plays Prometheus' /api/v1/query. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsSource, createMetricsSources, HttpPrometheus } from '#integrations';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  authorization: string | undefined;
  form: URLSearchParams;
}

type Handler = (form: URLSearchParams, res: ServerResponse) => void;

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

const HANDLERS: Record<string, Handler> = {
  vector: (_f, res) =>
    json(res, 200, {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { code: '500', region: 'eu' }, value: [1_700_000_000.5, '0.052'] },
          { metric: { code: '502' }, value: [1_700_000_000.5, 'NaN'] },
          { metric: { le: '+Inf' }, value: [1_700_000_000.5, '+Inf'] },
        ],
      },
    }),
  scalar: (_f, res) => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1_700_000_000, '42'] } }),
  bad: (_f, res) => json(res, 400, { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected "}"' }),
  exec: (_f, res) => json(res, 422, { status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' }),
  down: (_f, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable: TSDB not ready'),
  slow: (_f, res) => setTimeout(() => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1, '1'] } }), 1_000),
  html: (_f, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login page</html>'),
  matrix: (_f, res) => json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [] } }),
};

describe('HttpPrometheus', () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(raw);
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          contentType: req.headers['content-type'],
          authorization: req.headers.authorization,
          form,
        });
        const handler = HANDLERS[form.get('query') ?? ''];
        if (req.url !== '/prom/api/v1/query' || !handler)
          return json(res, 404, { status: 'error', errorType: 'not_found', error: 'no such thing' });
        handler(form, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prom/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const prom = () => new HttpPrometheus({ url, headers: { Authorization: 'Bearer s3cret' } });

  it('POSTs the query as a form, with headers and the timeout, and parses a vector', async () => {
    const out = await prom().query('vector', { timeoutMs: 2_000 });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.result).toEqual({
      kind: 'vector',
      series: [
        { labels: { code: '500', region: 'eu' }, value: 0.052 },
        { labels: { code: '502' }, value: NaN },
        { labels: { le: '+Inf' }, value: Infinity },
      ],
    });
    expect(out.durationMs).toBeGreaterThanOrEqual(0);
    const req = seen.at(-1)!;
    expect(req).toMatchObject({
      method: 'POST',
      url: '/prom/api/v1/query',
      contentType: 'application/x-www-form-urlencoded',
      authorization: 'Bearer s3cret',
    });
    expect(req.form.get('timeout')).toBe('2s');
  });

  it('parses a scalar', async () => {
    expect(await prom().query('scalar', { timeoutMs: 2_000 })).toMatchObject({ ok: true, result: { kind: 'scalar', value: 42 } });
  });

  it('passes matrix results through (the verdict turns them into errors)', async () => {
    expect(await prom().query('matrix', { timeoutMs: 2_000 })).toMatchObject({ ok: true, result: { kind: 'matrix' } });
  });

  it('400 bad_data and 422 execution → "bad query", status kept', async () => {
    expect(await prom().query('bad', { timeoutMs: 2_000 })).toMatchObject({
      ok: false,
      status: 400,
      error: 'bad query (bad_data): 1:5: parse error: unexpected "}"',
    });
    expect(await prom().query('exec', { timeoutMs: 2_000 })).toMatchObject({
      ok: false,
      status: 422,
      error: 'bad query (execution): many-to-many matching not allowed',
    });
  });

  it('503 → "prometheus answered 503: …"', async () => {
    expect(await prom().query('down', { timeoutMs: 2_000 })).toMatchObject({
      ok: false,
      status: 503,
      error: 'prometheus answered 503 with non-JSON: Service Unavailable: TSDB not ready',
    });
  });

  it('a slow answer → timed out after N ms, without waiting for it', async () => {
    const out = await prom().query('slow', { timeoutMs: 150 });
    expect(out).toMatchObject({ ok: false, error: `prometheus at ${url.replace(/\/$/, '')} timed out after 150ms` });
    expect(out.durationMs).toBeLessThan(900);
    expect(out.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('non-JSON 200 → error naming what came back', async () => {
    const out = await prom().query('html', { timeoutMs: 2_000 });
    expect(out).toMatchObject({ ok: false, status: 200 });
    expect(!out.ok && out.error).toContain('non-JSON: <html>login page</html>');
  });

  it('connection refused on a closed port → "prometheus unreachable at <url>: ECONNREFUSED"; never throws', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const out = await new HttpPrometheus({ url: `http://user:pw@127.0.0.1:${port}` }).query('up', { timeoutMs: 2_000 });
    expect(out).toMatchObject({ ok: false, error: `prometheus unreachable at http://127.0.0.1:${port}: ECONNREFUSED` });
    expect(!out.ok && out.error).not.toContain('pw');
  });

  it('credentials in the URL become a Basic Authorization header', async () => {
    const withUser = url.replace('http://', 'http://reader:p%40ss@');
    expect(await new HttpPrometheus({ url: withUser }).query('scalar', { timeoutMs: 2_000 })).toMatchObject({ ok: true });
    expect(seen.at(-1)?.authorization).toBe(`Basic ${Buffer.from('reader:p@ss').toString('base64')}`);
  });

  it('never puts header values into messages', async () => {
    const out = await prom().query('bad', { timeoutMs: 2_000 });
    expect(JSON.stringify(out)).not.toContain('s3cret');
  });

  it('registry: prometheus only; regions without one answer with an error', async () => {
    expect(await createMetricsSource({ type: 'prometheus', url }).query('scalar', { timeoutMs: 2_000 })).toMatchObject({ ok: true });
    expect(() => createMetricsSource({ type: 'datadog', url })).toThrow('unknown metrics provider type "datadog" (known: prometheus)');
    const sources = createMetricsSources(new Map([['eu', { type: 'prometheus', url }]]));
    expect(await sources.forRegion('eu').query('scalar', { timeoutMs: 2_000 })).toMatchObject({ ok: true });
    expect(await sources.forRegion('mars').query('scalar', { timeoutMs: 2_000 })).toMatchObject({
      ok: false,
      error: 'no Prometheus is configured for region "mars"',
    });
  });
});
