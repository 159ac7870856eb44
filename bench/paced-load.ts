/**
 * A fixed rate, paced: request k is due at start + k / rate and sent then (not in a burst at the
 * top of each second, as autocannon's overallRate sends them), over keep-alive connections (at
 * most 32, as the saturation runs use). Latency runs from when a request was due to its last
 * byte, so a server (or this loop) falling behind counts in full (no coordinated omission).
 */
import http from 'node:http';
import type { LoadResult, LoadSpec } from './api-load.js';

/** What the run measured; the caller adds the server's CPU. */
export type PacedResult = Omit<LoadResult, 'cpuMsPerRequest'>;

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

export async function pacedLoad(base: string, spec: LoadSpec, seconds: number, rate: number): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const url = new URL(base);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  const total = Math.round(seconds * rate);
  const start = performance.now() + 20;
  const inFlight: Array<Promise<void>> = [];

  const send = (k: number, dueAt: number) =>
    new Promise<void>((resolve) => {
      const path = spec.paths ? spec.paths[k % spec.paths.length]! : (spec.path ?? '/');
      const body = spec.body ? spec.body() : undefined;
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: spec.method,
          path,
          headers: { ...spec.headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            latencies.push(performance.now() - dueAt);
            if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) non2xx++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });

  while (sent < total) {
    const now = performance.now();
    // everything due by now goes out now (a late loop catches up; its lateness is in the latency)
    while (sent < total && start + (sent * 1000) / rate <= now) {
      inFlight.push(send(sent, start + (sent * 1000) / rate));
      sent++;
    }
    const next = start + (sent * 1000) / rate;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    reqPerSec: latencies.length / elapsed,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    non2xx,
    errors,
    seconds: elapsed,
  };
}
