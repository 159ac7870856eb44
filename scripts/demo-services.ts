/** Finds or starts what the demo needs: Redis (REDIS_URL, a local server, or one we start) and Prometheus. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findPrometheusBinary } from './prometheus.js';

/** The `prometheus` binary: found, or installed from the Debian package when running as root. */
export function ensurePrometheusBinary(): { ok: true; path: string } | { ok: false; message: string } {
  const found = findPrometheusBinary();
  if (found) return { ok: true, path: found };
  if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0) {
    console.log('demo: installing prometheus (Debian package)…');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const installed = findPrometheusBinary();
    if (installed) return { ok: true, path: installed };
  }
  return {
    ok: false,
    message: 'the demo needs Prometheus: install it (Debian/Ubuntu: apt-get install prometheus) or set TEST_PROMETHEUS_BIN to its binary',
  };
}

export async function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((res) => {
      const s = createServer();
      s.once('error', () => res(null));
      s.listen(port, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
    });
  return (preferred !== undefined ? await tryPort(preferred) : null) ?? ((await tryPort(0)) as number);
}

export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export interface DemoRedis {
  url: string;
  how: string;
  stop(): void;
}

export async function ensureRedis(env: NodeJS.ProcessEnv): Promise<DemoRedis> {
  if (env.REDIS_URL) {
    if (await redisAnswers(env.REDIS_URL)) return { url: env.REDIS_URL, how: 'REDIS_URL', stop: () => undefined };
    throw new Error(`REDIS_URL=${env.REDIS_URL} does not answer PING`);
  }
  const local = 'redis://127.0.0.1:6379';
  if (await redisAnswers(local)) return { url: local, how: 'local server on 6379', stop: () => undefined };
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      'no Redis found: set REDIS_URL, or install redis-server (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis)',
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tideline-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url)) {
      const stop = () => {
        child.kill('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      };
      return { url, how: `redis-server started by the demo on ${port}`, stop };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  throw new Error('started redis-server but it did not answer');
}
