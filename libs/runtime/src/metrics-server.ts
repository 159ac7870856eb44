/**
 * The worker's small HTTP listener: GET /metrics (Prometheus text), /healthz (alive) and
 * /readyz (503 naming what is down). METRICS_PORT=0 turns it off.
 */
import { createServer, type Server } from 'node:http';
import type { WorkerContainer } from './container.js';
import { checkReadiness } from './readiness.js';

export interface MetricsServer {
  /** the bound port (0 when off) */
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(
  c: Pick<WorkerContainer, 'telemetry' | 'db' | 'queues' | 'log'>,
  port: number,
  host: string,
): Promise<MetricsServer> {
  if (port === 0) return { port: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      c.telemetry.text().then(
        (text) => send(200, c.telemetry.contentType, text),
        (err: Error) => send(500, 'text/plain', `metrics failed: ${err.message}\n`),
      );
    } else if (path === '/healthz') {
      send(200, 'application/json', JSON.stringify({ status: 'ok' }));
    } else if (path === '/readyz') {
      void checkReadiness(c.db, c.queues).then((r) =>
        send(r.ready ? 200 : 503, 'application/json', JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks })),
      );
    } else {
      send(404, 'text/plain', 'not found: /metrics, /healthz, /readyz\n');
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (err) {
    // A port conflict must not stop a worker from doing its job; say so loudly once.
    c.log.error(
      { err: (err as Error).message, port, host },
      'metrics listener could not start: /metrics, /healthz and /readyz are off for this worker',
    );
    return { port: 0, close: async () => undefined };
  }
  const bound = (server.address() as { port: number }).port;
  c.log.info({ url: `http://${host}:${bound}/metrics` }, 'metrics listening');
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
