/** Small helpers for the benchmarks: scratch database, Redis cleanup, child processes, RSS, stats. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';

/** An integer from the environment (at least `min`), or `fallback` when unset; a bad value names its variable. */
export const envInt = (name: string, fallback: number, min = 1): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
};
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Cleanup steps, run newest first; a failing step is reported and the rest still run. */
export class Cleanup {
  private readonly steps: Array<{ what: string; fn: () => Promise<unknown> }> = [];
  add(what: string, fn: () => Promise<unknown>): void {
    this.steps.push({ what, fn });
  }
  async run(): Promise<void> {
    while (this.steps.length > 0) {
      const { what, fn } = this.steps.pop()!;
      await fn().catch((err: unknown) => console.error(`cleanup: ${what} failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}

export interface ScratchDb {
  url: string;
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** CREATE DATABASE tideline_bench_<random>; drop() closes the pool and drops it WITH (FORCE). */
export async function createScratchDb(adminUrl: string): Promise<ScratchDb> {
  const name = `tideline_bench_${hex(4)}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = newPool(url.toString(), 4);
  return {
    url: url.toString(),
    name,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * `<dir>/<name>-<date><suffix>.md`, or with `-2`, `-3`… before `.md` when that file exists: a run
 * never overwrites a result already there (committed results stay as they were committed).
 */
export function resultFile(dir: string, name: string, at: string, suffix = ''): string {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${name}-${at.slice(0, 10)}${suffix}`);
  let file = `${base}.md`;
  for (let n = 2; existsSync(file); n++) file = `${base}-${n}.md`;
  return file;
}

/** A pg pool whose idle clients may be terminated (DROP DATABASE ... WITH (FORCE)) without crashing us. */
export function newPool(url: string, max: number): pg.Pool {
  // idle clients are kept: on a shared server another process may take the slot meanwhile
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 0 });
  pool.on('error', () => undefined);
  return pool;
}

/** Delete every Redis key under `prefix:` (SCAN + DEL); returns how many were deleted. */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export interface Proc {
  name: string;
  pid: number;
  /** last lines of output (for error messages) */
  tail(): string;
  /** warn/error log lines by message */
  problems(): Record<string, number>;
  stop(): Promise<void>;
}

/** Children spawned by this bench and not yet exited: runBench stops any its cleanup left (e.g. a signal mid-spawn). */
const children = new Set<ChildProcess>();

/**
 * Track a spawned child until it exits; the returned `stop` sends SIGTERM, then SIGKILL after
 * 10 s, and resolves once it has exited.
 */
export function trackChild(child: ChildProcess): () => Promise<void> {
  children.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => children.delete(child));
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

/** Spawn `node script`, resolve once a line contains `readyText` (JSON logs: level ≥ 40 are counted). */
export function spawnNode(
  name: string,
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  readyText: string,
  timeoutMs = 60_000,
): Promise<Proc> {
  // node flags for this process only (e.g. BENCH_NODE_ARGS: '--cpu-prof --cpu-prof-dir=/tmp/prof'; NODE_OPTIONS refuses --cpu-prof)
  const nodeArgs = (env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, script], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = trackChild(child);
  const lines: string[] = [];
  const problems: Record<string, number> = {};
  let ready = false;
  let onReady: () => void = () => undefined;
  const feed = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > 40) lines.shift();
        if (!ready && line.includes(readyText)) {
          ready = true;
          onReady();
        }
        const level = /"level":(\d+)/.exec(line);
        if (level && Number(level[1]) >= 40) {
          const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? 'unknown';
          const err = /"err":"([^"]{0,80})/.exec(line)?.[1];
          const key = err ? `${msg}: ${err}` : msg;
          problems[key] = (problems[key] ?? 0) + 1;
        }
      }
    });
  };
  feed(child.stdout!);
  feed(child.stderr!);
  const proc: Proc = {
    name,
    pid: child.pid ?? -1,
    tail: () => lines.join('\n'),
    problems: () => ({ ...problems }),
    stop,
  };
  return new Promise<Proc>((resolve, reject) => {
    const timer = setTimeout(() => {
      void proc.stop();
      reject(new Error(`${name} not ready after ${timeoutMs}ms:\n${proc.tail()}`));
    }, timeoutMs);
    onReady = () => {
      clearTimeout(timer);
      resolve(proc);
    };
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`${name} exited (${code ?? sig}) before it was ready:\n${proc.tail()}`));
    });
  });
}

/** VmRSS of a process in KiB (Linux /proc), or null when it cannot be read. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export interface RssReport {
  /** first sample, per pid name */
  startMiB: Record<string, number>;
  /** peak per pid name */
  peakMiB: Record<string, number>;
  /** peak of the sum over all sampled processes at one instant */
  peakTotalMiB: number;
  samples: number;
}

/** Sample VmRSS of `procs` every `everyMs` until stop(). */
export function sampleRss(procs: Array<{ name: string; pid: number }>, everyMs = 250): { stop(): RssReport } {
  const startMiB: Record<string, number> = {};
  const peakMiB: Record<string, number> = {};
  let peakTotalMiB = 0;
  let samples = 0;
  const tick = () => {
    let total = 0;
    for (const p of procs) {
      const kib = rssKiB(p.pid);
      if (kib === null) continue;
      const mib = kib / 1024;
      startMiB[p.name] ??= mib;
      peakMiB[p.name] = Math.max(peakMiB[p.name] ?? 0, mib);
      total += mib;
    }
    peakTotalMiB = Math.max(peakTotalMiB, total);
    samples++;
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { startMiB, peakMiB, peakTotalMiB, samples };
    },
  };
}

/** Nearest-rank percentile of an unsorted list (NaN when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** user+system CPU seconds of a pid (plus its reaped children's), from /proc/<pid>/stat; 0 when unreadable. */
function procCpuSeconds(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100; // utime stime cutime cstime, CLK_TCK 100
  } catch {
    return 0;
  }
}

/** CPU seconds of every process whose command name is `comm` (e.g. all Postgres backends). */
function commCpuSeconds(comm: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === comm) total += procCpuSeconds(pid);
    } catch {
      /* the process ended */
    }
  }
  return total;
}

/** CPU seconds so far: the given processes, this process (simulator, poller, floor), Postgres and Redis. */
export function cpuSnapshot(procs: Array<{ name: string; pid: number }>): Record<string, number> {
  const self = process.cpuUsage();
  return {
    ...Object.fromEntries(procs.map((p) => [p.name, procCpuSeconds(p.pid)])),
    bench: (self.user + self.system) / 1e6,
    postgres: commCpuSeconds('postgres'),
    redis: commCpuSeconds('redis-server'),
  };
}

/** CPU seconds spent between two snapshots, per name. */
export function cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Math.max(0, v - (before[k] ?? 0))]));
}

/** Run a benchmark's `main`, then its cleanup steps, also on SIGINT/SIGTERM, and exit. */
/**
 * A bench runs dist/: after a source change without a build it would measure the old code.
 * `npm run bench:*` builds first; `node dist/bench/…` run by hand is refused when a source is
 * newer than the build (scripts/build-if-stale.mjs), unless BENCH_ALLOW_STALE=1.
 */
async function refuseStaleBuild(): Promise<void> {
  if (process.env.BENCH_ALLOW_STALE === '1') return;
  const root = resolve(import.meta.dirname, '../..');
  const script = join(root, 'scripts/build-if-stale.mjs');
  if (!existsSync(script) || !existsSync(join(root, 'dist'))) return;
  const { staleReason } = (await import(pathToFileURL(script).href)) as { staleReason: (root: string) => string | null };
  const reason = staleReason(root);
  if (reason) throw new Error(`dist/ would measure old code (${reason}): run npm run build first, or set BENCH_ALLOW_STALE=1`);
}

export function runBench(name: string, main: (cleanup: Cleanup) => Promise<void>): void {
  const cleanup = new Cleanup();
  let cleaning: Promise<void> | undefined;
  const finish = (code: number) => {
    cleaning ??= cleanup
      .run()
      .then(async () => void (await Promise.all([...children].map((c) => trackChild(c)()))))
      .finally(() => process.exit(code));
    return cleaning;
  };
  process.once('SIGINT', () => void finish(130));
  process.once('SIGTERM', () => void finish(143));
  refuseStaleBuild()
    .then(() => main(cleanup))
    .then(
      () => finish(0),
      (err: unknown) => {
        console.error(`[${name}] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return finish(1);
      },
    );
}
