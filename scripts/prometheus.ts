/**
 * Starts a real Prometheus (the `prometheus` binary: Debian package `prometheus`, or
 * $TEST_PROMETHEUS_BIN) that scrapes region simulators, for tests, the demo and benchmarks.
 * Each instance gets its own port, config and data directory; nothing global is touched.
 *
 *   const prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${sim.port}`] });
 *   await prom.waitFor('sum by (region) (rate(sim_http_requests_total[10s]))', (s) => s.length === 5);
 *   await prom.close();
 *
 * Prometheus 2.x hands its first targets to the scrape manager only ~5 s after start (service
 * discovery's fixed update throttle), so the first sample arrives 5-6 s after startPrometheus();
 * start it early. rate(x[10s]) reads low until a series is 10 s old (it divides by the window).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export interface PrometheusOptions {
  /** `host:port` of the simulators to scrape (path /metrics), e.g. "127.0.0.1:7070". */
  scrapeTargets: string[];
  /** `host:port` of Tideline processes (API, workers) to scrape as job "tideline" (path /metrics). */
  tidelineTargets?: string[];
  /** Default: a free port. */
  port?: number;
  /** Default: a fresh temp dir (removed by close()). */
  dataDir?: string;
  /** Default 1. */
  scrapeIntervalSeconds?: number;
  /** Default 1. */
  evaluationIntervalSeconds?: number;
  /** Absolute paths of rule files. Default: config/prometheus/simulator-alerts.yml. */
  ruleFiles?: string[];
  /** Default: $TEST_PROMETHEUS_BIN, else `prometheus` on PATH, else /usr/bin/prometheus. */
  binary?: string;
  /** How long to wait for /-/ready (default 30000 ms). */
  readyTimeoutMs?: number;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** SIGTERM, then waits for the exit; keeps the data directory. */
  stop(): Promise<void>;
  /** Starts again on the same port and data directory after stop() (no-op while running). */
  start(): Promise<void>;
  /** stop() and remove the temp directories this launcher created. */
  close(): Promise<void>;
  /** An instant query (vector or scalar result). */
  query(promql: string): Promise<PromSample[]>;
  /** Polls every 250 ms until `predicate` (default: a non-empty result) holds; throws after `timeoutMs` (default 30000). */
  waitFor(promql: string, predicate?: (series: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  /** What the process wrote to stdout/stderr (the last 256 KiB). */
  output(): string;
}

const MAX_OUTPUT = 256 * 1024;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** $TEST_PROMETHEUS_BIN, else `prometheus` on PATH, else /usr/bin/prometheus; null when none. */
export function findPrometheusBinary(): string | null {
  const fromEnv = process.env['TEST_PROMETHEUS_BIN']?.trim();
  if (fromEnv) return fromEnv;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, 'prometheus'))) return join(dir, 'prometheus');
  }
  return isExecutable('/usr/bin/prometheus') ? '/usr/bin/prometheus' : null;
}

/** config/prometheus/simulator-alerts.yml, found from this file (scripts/ or dist/scripts/). */
export function defaultRuleFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'config', 'prometheus', 'simulator-alerts.yml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('config/prometheus/simulator-alerts.yml not found above scripts/prometheus');
    dir = parent;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const duration = (seconds: number): string => `${Math.max(1, Math.round(seconds * 1000))}ms`;

export function prometheusConfig(opts: {
  targets: string[];
  tidelineTargets?: string[];
  scrapeSeconds: number;
  evalSeconds: number;
  ruleFiles: string[];
}): string {
  const tideline = opts.tidelineTargets?.length
    ? [{ job_name: 'tideline', metrics_path: '/metrics', static_configs: [{ targets: opts.tidelineTargets }] }]
    : [];
  return stringify({
    global: {
      scrape_interval: duration(opts.scrapeSeconds),
      scrape_timeout: duration(opts.scrapeSeconds),
      evaluation_interval: duration(opts.evalSeconds),
    },
    rule_files: opts.ruleFiles,
    scrape_configs: [{ job_name: 'simulator', metrics_path: '/metrics', static_configs: [{ targets: opts.targets }] }, ...tideline],
  });
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`Prometheus answer: ${what} is not an object`);
  return Object.fromEntries(Object.entries(value));
}

function sampleValue(pair: unknown): number {
  if (!Array.isArray(pair) || pair.length !== 2) throw new Error('Prometheus answer: a value is not [time, "value"]');
  const raw: unknown = pair[1];
  return Number(typeof raw === 'string' ? raw : NaN);
}

/** The samples of a /api/v1/query answer. */
export function parseQueryResponse(body: unknown): PromSample[] {
  const top = record(body, 'the body');
  if (top['status'] !== 'success') throw new Error(`Prometheus query failed: ${String(top['errorType'])}: ${String(top['error'])}`);
  const data = record(top['data'], 'data');
  if (data['resultType'] === 'scalar') return [{ metric: {}, value: sampleValue(data['result']) }];
  if (data['resultType'] !== 'vector') throw new Error(`Prometheus answer: unsupported resultType ${String(data['resultType'])}`);
  const result = data['result'];
  if (!Array.isArray(result)) throw new Error('Prometheus answer: result is not an array');
  return result.map((item: unknown) => {
    const s = record(item, 'a sample');
    const metric: Record<string, string> = {};
    for (const [k, v] of Object.entries(record(s['metric'] ?? {}, 'metric'))) if (typeof v === 'string') metric[k] = v;
    return { metric, value: sampleValue(s['value']) };
  });
}

export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = opts.binary ?? findPrometheusBinary();
  if (!binary) {
    throw new Error('prometheus not found: install it (Debian/Ubuntu: apt-get install -y prometheus) or set TEST_PROMETHEUS_BIN');
  }
  if (opts.scrapeTargets.length === 0) throw new Error('startPrometheus needs at least one scrape target');
  const configDir = await mkdtemp(join(tmpdir(), 'tideline-prom-config-'));
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'tideline-prom-data-')));
  const configFile = join(configDir, 'prometheus.yml');
  const ruleFiles = (opts.ruleFiles ?? [defaultRuleFile()]).map((f) => resolve(f));
  const scrapeSeconds = opts.scrapeIntervalSeconds ?? 1;
  const evalSeconds = opts.evaluationIntervalSeconds ?? 1;
  await writeFile(
    configFile,
    prometheusConfig({
      targets: opts.scrapeTargets,
      ...(opts.tidelineTargets ? { tidelineTargets: opts.tidelineTargets } : {}),
      scrapeSeconds,
      evalSeconds,
      ruleFiles,
    }),
  );
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  let port = opts.port ?? (await freePort());
  let out = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const url = (): string => `http://127.0.0.1:${port}`;
  const append = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    if (out.length > MAX_OUTPUT) out = out.slice(out.length - MAX_OUTPUT);
  };

  const spawnOnce = async (): Promise<void> => {
    const args = [`--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`];
    args.push('--web.enable-lifecycle', '--storage.tsdb.retention.time=1h', '--log.level=info');
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout.on('data', append);
    proc.stderr.on('data', append);
    let exitInfo: string | undefined;
    exited = new Promise<void>((done) => {
      proc.once('exit', (code, signal) => {
        exitInfo = `exited with ${signal ?? code}`;
        if (child === proc) child = undefined;
        done();
      });
      proc.once('error', (err) => {
        exitInfo = `failed to start: ${err.message}`;
        if (child === proc) child = undefined;
        done();
      });
    });
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (exitInfo !== undefined) throw new Error(`prometheus ${exitInfo} before it was ready:\n${out.slice(-4000)}`);
      try {
        const res = await fetch(`${url()}/-/ready`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`prometheus not ready on ${url()} after ${readyTimeoutMs} ms:\n${out.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return exited;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  // A free port can be taken between picking and binding it: pick another one then.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await spawnOnce();
      break;
    } catch (err) {
      await stop();
      const portTaken = /address already in use/i.test(out);
      if (opts.port !== undefined || attempt >= 3 || !portTaken) {
        process.off('exit', killOnExit);
        await rm(configDir, { recursive: true, force: true });
        if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
        throw err;
      }
      port = await freePort();
    }
  }

  const query = async (promql: string): Promise<PromSample[]> => {
    const res = await fetch(`${url()}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`, {
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`Prometheus answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
    }
    return parseQueryResponse(body);
  };

  let closed = false;
  return {
    url: url(),
    port,
    dataDir,
    stop,
    start: async () => {
      if (closed) throw new Error('prometheus was closed');
      if (child) return;
      await spawnOnce();
    },
    close: async () => {
      closed = true;
      await stop();
      process.off('exit', killOnExit);
      await rm(configDir, { recursive: true, force: true });
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
    query,
    waitFor: async (promql, predicate = (s) => s.length > 0, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: PromSample[] | undefined;
      let lastError: unknown;
      for (;;) {
        try {
          last = await query(promql);
          lastError = undefined;
          if (predicate(last)) return last;
        } catch (err) {
          lastError = err;
        }
        if (Date.now() > deadline) {
          const why = lastError instanceof Error ? `last error: ${lastError.message}` : `last result: ${JSON.stringify(last)}`;
          throw new Error(`waitFor(${promql}) not satisfied after ${timeoutMs} ms; ${why}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    output: () => out,
  };
}
