/**
 * The API bench's load and measuring parts: a server process logging to a file, a paced fixed
 * rate and autocannon at saturation, and the CPU a server (and its Postgres backends) spent.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type pg from 'pg';
import { sleep, trackChild } from './support.js';
import { pacedLoad } from './paced-load.js';

export interface Server {
  name: string;
  pid: number;
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

/** Spawn `node [BENCH_NODE_ARGS] script` (e.g. `--cpu-prof`) with its output to `logFile` (the access log must not load the bench process); ready when /healthz-like `probe` answers. */
export async function spawnServer(
  name: string,
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  url: string,
  probe: string,
  logFile: string,
): Promise<Server> {
  const fd = openSync(logFile, 'a');
  const nodeArgs = (env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, script], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const server: Server = { name, pid: child.pid ?? -1, url, logFile, stop: trackChild(child) };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited (${child.exitCode}) before it was ready:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    const ok = await fetch(`${url}${probe}`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${name} not ready after 60 s:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    }
    await sleep(100);
  }
}

/** user+system CPU seconds of a pid, 0 when it is gone. */
export function pidCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of the Postgres backends connected to the bench database, by pid (backends that ended in between are not counted). */
export async function backendCpu(admin: pg.Pool, database: string): Promise<Map<number, number> | null> {
  try {
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      database,
    ]);
    return new Map(rows.map((r) => [r.pid, pidCpuSeconds(r.pid)]));
  } catch {
    return null; // a shared server out of connections: this round has no Postgres figure
  }
}

export function backendCpuDelta(before: Map<number, number> | null, after: Map<number, number> | null): number {
  if (!before || !after) return Number.NaN;
  let total = 0;
  for (const [pid, s] of after) total += Math.max(0, s - (before.get(pid) ?? 0));
  return total;
}

export interface LoadSpec {
  method: 'GET' | 'POST';
  /** the path of each request, in turn */
  paths?: string[];
  path?: string;
  /** a fresh body per request */
  body?: () => string;
  headers: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** CPU ms of the server process per request */
  cpuMsPerRequest: number;
  seconds: number;
}

/**
 * One run while the server's CPU is measured: at a fixed `rate` (req/s) paced evenly
 * (paced-load.ts), or at saturation (`rate` undefined: autocannon, 32 connections).
 */
export async function load(url: string, pid: number, spec: LoadSpec, seconds: number, rate: number | undefined): Promise<LoadResult> {
  const cpu0 = pidCpuSeconds(pid);
  if (rate) {
    const paced = await pacedLoad(url, spec, seconds, rate);
    const cpu = pidCpuSeconds(pid) - cpu0;
    return { ...paced, cpuMsPerRequest: paced.requests > 0 ? (cpu * 1000) / paced.requests : Number.NaN };
  }
  let i = 0;
  const result = await autocannon({
    url,
    connections: 32,
    duration: seconds,
    headers: spec.headers,
    method: spec.method,
    requests: [
      {
        method: spec.method,
        setupRequest: (req) => {
          const path = spec.paths ? spec.paths[i++ % spec.paths.length]! : (spec.path ?? '/');
          return spec.body ? { ...req, path, body: spec.body() } : { ...req, path };
        },
      },
    ],
  });
  const cpu = pidCpuSeconds(pid) - cpu0;
  const done = result['2xx'] + result.non2xx;
  return {
    requests: done,
    reqPerSec: done / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuMsPerRequest: done > 0 ? (cpu * 1000) / done : Number.NaN,
    seconds: result.duration,
  };
}
