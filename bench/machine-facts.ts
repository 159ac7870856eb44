/** Facts about the machine a bench records beside its figures: Redis, the commit, process ids. */
import { execSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { RunningPrometheus } from '../scripts/prometheus.js';
import { findPid } from './scale-probe.js';

const ROOT = resolve(import.meta.dirname, '../..');

export async function redisFacts(url: string): Promise<{ version: string; hz: string }> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  try {
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
    const hz = await redis
      .config('GET', 'hz')
      .then((r) => String((r as string[])[1] ?? 'unknown'))
      .catch(() => 'unknown');
    return { version, hz };
  } finally {
    redis.disconnect();
  }
}

export function gitHead(): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return process.env.BENCH_GIT_COMMIT || 'unknown';
  }
}

/** Prometheus' pid, from the process table (its listen port is unique to this run). */
export function promPid(prom: RunningPrometheus): number {
  return findPid((cmdline) => cmdline.includes('prometheus') && cmdline.includes(`--web.listen-address=127.0.0.1:${prom.port}`));
}
