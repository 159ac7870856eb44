/**
 * The demo on SIGINT and SIGTERM: while its API stays up (after the release), the demo's
 * Prometheus scrapes Tideline's /metrics; a signal then stops everything it started — no
 * prometheus process is left, its port and the API's are free, its temp directories and
 * Redis keys are gone — and it exits 128 + the signal number. `build-if-stale` skips an
 * up-to-date build.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/processes.js';
import { REDIS_URL } from '../support/services.js';
// @ts-expect-error plain .mjs script without types
import { staleReason } from '../../scripts/build-if-stale.mjs';

const ROOT = resolve(import.meta.dirname, '../..');

/** pids of processes whose command line contains `needle` (from /proc). */
function processesWith(needle: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const listening = (port: number) =>
  new Promise<boolean>((r) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => (s.destroy(), r(true)));
    s.on('error', () => r(false));
  });

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve(fn()).catch(() => undefined);
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('npm run demo stops cleanly', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('on %s: no Prometheus left, ports free, temp files and Redis keys removed', { timeout: 180_000 }, async (signal, code) => {
    const apiPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL,
      PORT: String(apiPort),
      SIM_PORT: '0',
      PROMETHEUS_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.TIDELINE_QUEUE_PREFIX; // the demo's own prefix (tideline-demo-<pid>), which it deletes
    const child = spawn(process.execPath, ['dist/scripts/demo.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    try {
      await until('the demo to finish its release', () => out.includes('the API stays up'), 150_000);
      const promUrl = /prometheus: (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      expect(promUrl, out).not.toBeNull();
      const promPort = Number(promUrl![2]);
      const needle = `--web.listen-address=127.0.0.1:${promPort}`;
      const [promPid] = processesWith(needle);
      expect(promPid, 'the demo started prometheus').toBeDefined();
      const configFile = /--config\.file=(\S+?)\u0000/.exec(readFileSync(`/proc/${promPid}/cmdline`, 'utf8'))![1]!;
      // Prometheus scrapes Tideline's /metrics (job "tideline").
      await until(
        'prometheus to scrape tideline',
        async () => {
          const res = (await (await fetch(`${promUrl![1]}/api/v1/query?query=${encodeURIComponent('up{job="tideline"}')}`)).json()) as {
            data: { result: Array<{ value: [number, string] }> };
          };
          return res.data.result[0]?.value[1] === '1' ? true : undefined;
        },
        30_000,
      );
      const prefix = `tideline-demo-${child.pid}`;
      const redis = new Redis(REDIS_URL);
      try {
        expect((await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 10_000))[1].length).toBeGreaterThan(0);

        child.kill(signal);
        expect(await exited, out).toBe(code);
        expect(out).toContain(`${signal}: stopping`);
        expect(processesWith(needle)).toEqual([]);
        expect(await listening(promPort)).toBe(false);
        expect(await listening(apiPort)).toBe(false);
        expect(existsSync(configFile), 'prometheus config dir removed').toBe(false);
        let cursor = '0';
        const left: string[] = [];
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          cursor = next;
          left.push(...keys);
        } while (cursor !== '0');
        expect(left).toEqual([]);
      } finally {
        redis.disconnect();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('rebuilds only when a source is newer than dist/', () => {
    const root = mkdtempSync(join(tmpdir(), 'tideline-stale-'));
    mkdirSync(join(root, 'libs'));
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'libs', 'a.ts'), 'export {}');
    expect(staleReason(root)).toBe('no build yet');
    writeFileSync(join(root, 'dist', 'a.js'), 'export {}');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'libs', 'a.ts'), past, past);
    expect(staleReason(root)).toBeNull();
    utimesSync(join(root, 'libs', 'a.ts'), new Date(), new Date(Date.now() + 1_000));
    expect(staleReason(root)).toBe('sources changed since the last build');
  });
});
