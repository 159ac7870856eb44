/**
 * API latency and throughput against a bare NestJS app answering the same bytes, side by side in
 * one run: 1,000 releases seeded through the real API (auth and access log on, 20 regions), then
 * for GET /v1/releases/:id, GET /v1/releases (50) and POST /v1/releases, in rounds that alternate
 * which server goes first: a fixed rate (200 req/s: p50/p99) and saturation (req/s, CPU ms per
 * request), 32 connections each. Prints the ratios API / bare (median and spread over the rounds)
 * and writes bench/results/api-latency-<date>.md.
 *
 *   npm run bench:api
 *   BENCH_API_RELEASES=50 BENCH_API_SECONDS=2 BENCH_API_ROUNDS=1 npm run bench:api   # quick
 *
 * Env: BENCH_API_RELEASES, BENCH_API_SECONDS, BENCH_API_ROUNDS, BENCH_API_RATE, BENCH_RESULTS_DIR,
 * BENCH_API_ENDPOINTS (some of get,list,post), BENCH_API_NODE_ARGS (for the API process, e.g. --cpu-prof),
 * BENCH_API_READ_CACHE_MS (the API's TIDELINE_API_READ_CACHE_MS; unset = its default, 250 ms; 0 = no read cache),
 * BENCH_DATABASE_ADMIN_URL, BENCH_REDIS_URL. Exits non-zero on errors only (no speed assertions).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../scripts/prometheus.js';
import type { BareResponses } from './api-bare.js';
import { backendCpu, backendCpuDelta, load, spawnServer, type LoadSpec, type Server } from './api-load.js';
import { printApiReport, writeApiMarkdown, type ApiReport, type EndpointRound } from './api-report.js';
import { image, writeBenchConfig, type Stage } from './engine-run.js';
import { sqlCounter, sqlPer } from './sql-count.js';
import { createScratchDb, deleteRedisPrefix, hex, mapLimit, runBench, type Cleanup, envInt } from './support.js';
import { benchHeaders } from './token.js';

const env = process.env;
const int = envInt;
const P = {
  releases: int('BENCH_API_RELEASES', 1000),
  services: 50,
  seconds: int('BENCH_API_SECONDS', 10),
  rounds: int('BENCH_API_ROUNDS', 3),
  rate: int('BENCH_API_RATE', 200),
  readCacheMs:
    env.BENCH_API_READ_CACHE_MS === undefined || env.BENCH_API_READ_CACHE_MS === '' ? null : int('BENCH_API_READ_CACHE_MS', 0, 0),
  adminUrl: env.BENCH_DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
};
const ROOT = resolve(import.meta.dirname, '../..');
const log = (line: string) => console.error(`[bench:api] ${line}`);
const pad = (n: number) => String(n).padStart(3, '0');

/** 20 regions as release-throughput runs them: canary r01, waves r02–r04, r05–r09, r10–r14, r15–r20. */
const STAGES: Stage[] = [
  { name: 'canary', regions: ['r01'] },
  ...[
    [2, 4],
    [5, 9],
    [10, 14],
    [15, 20],
  ].map(([a, b], i) => ({
    name: `wave-${i + 1}`,
    regions: Array.from({ length: b! - a! + 1 }, (_, k) => `r${String(a! + k).padStart(2, '0')}`),
  })),
];

async function call(url: string, init: RequestInit, want: number): Promise<{ text: string; location: string | null }> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== want) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return { text, location: res.headers.get('location') };
}

async function main(cleanup: Cleanup): Promise<void> {
  const services = Array.from({ length: P.services }, (_, i) => `svc-${pad(i + 1)}`);
  const prefix = `tlbenchapi${hex(4)}`;
  const tmp = mkdtempSync(join(tmpdir(), 'tideline-bench-api-'));
  cleanup.add('remove temp dir', async () => (env.BENCH_KEEP_TMP ? log(`kept ${tmp}`) : rmSync(tmp, { recursive: true, force: true })));
  const db = await createScratchDb(P.adminUrl);
  cleanup.add(`drop database ${db.name}`, () => db.drop());
  cleanup.add(`delete Redis keys ${prefix}:*`, () => deleteRedisPrefix(P.redisUrl, prefix));
  const sql = sqlCounter();
  cleanup.add('remove SQL counts', async () => sql.remove());
  const configDir = writeBenchConfig({
    simulatorUrl: 'http://127.0.0.1:9',
    services,
    stages: STAGES,
    pollInterval: '1s',
    sweepInterval: '30s',
    workerConcurrency: 8,
  });
  cleanup.add('remove config dir', async () => rmSync(configDir, { recursive: true, force: true }));

  const apiPort = await freePort();
  const api = await spawnServer(
    'api',
    'dist/apps/api/src/main.js',
    ROOT,
    {
      ...sql.env,
      BENCH_NODE_ARGS: env.BENCH_API_NODE_ARGS ?? '',
      DATABASE_URL: db.url,
      REDIS_URL: P.redisUrl,
      TIDELINE_QUEUE_PREFIX: prefix,
      TIDELINE_CONFIG_DIR: configDir,
      LOG_LEVEL: 'info',
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      ...(P.readCacheMs === null ? {} : { TIDELINE_API_READ_CACHE_MS: String(P.readCacheMs) }),
    },
    `http://127.0.0.1:${apiPort}`,
    '/healthz',
    join(tmp, 'api.log'),
  );
  cleanup.add('stop api', () => api.stop());

  // Seed: P.releases releases over P.services services (one running per service, the rest queued).
  let releaseNumber = 0;
  // allowOlder: under load a POST can overtake an earlier one of the same service (n + 50 commits
  // before n); without it the later-committing lower number is rightly refused as older (409).
  // The create does the same work either way (the probe finds the newer release).
  const nextBody = () => {
    const n = ++releaseNumber;
    const service = services[n % services.length]!;
    return JSON.stringify({ service, version: `2.0.${n}`, image: image(service, `2.0.${n}`), releaseNumber: n, allowOlder: true });
  };
  const t0 = Date.now();
  const ids = await mapLimit(Array.from({ length: P.releases }), 8, async () => {
    const { text } = await call(`${api.url}/v1/releases`, { method: 'POST', headers: benchHeaders(true), body: nextBody() }, 201);
    return (JSON.parse(text) as { id: string }).id;
  });
  log(`seeded ${ids.length} releases in ${Date.now() - t0} ms`);

  // What the bare app answers: the real API's bytes.
  const getIds = ids.slice(0, Math.min(100, ids.length));
  const bare: BareResponses = { get: {}, list: '', post: '', postLocation: '' };
  for (const id of getIds) bare.get[id] = (await call(`${api.url}/v1/releases/${id}`, { headers: benchHeaders(false) }, 200)).text;
  bare.list = (await call(`${api.url}/v1/releases`, { headers: benchHeaders(false) }, 200)).text;
  const posted = await call(`${api.url}/v1/releases`, { method: 'POST', headers: benchHeaders(true), body: nextBody() }, 201);
  bare.post = posted.text;
  bare.postLocation = posted.location ?? '';
  const responsesFile = join(tmp, 'bare-responses.json');
  writeFileSync(responsesFile, JSON.stringify(bare));
  const barePort = await freePort();
  const bareServer = await spawnServer(
    'bare',
    'dist/bench/api-bare.js',
    ROOT,
    { BARE_RESPONSES: responsesFile, PORT: String(barePort) },
    `http://127.0.0.1:${barePort}`,
    '/v1/releases',
    join(tmp, 'bare.log'),
  );
  cleanup.add('stop bare', () => bareServer.stop());

  const specs: Array<{ endpoint: string; spec: LoadSpec }> = [
    {
      endpoint: 'GET /v1/releases/:id',
      spec: { method: 'GET', paths: getIds.map((id) => `/v1/releases/${id}`), headers: benchHeaders(false) },
    },
    { endpoint: 'GET /v1/releases (50)', spec: { method: 'GET', path: '/v1/releases', headers: benchHeaders(false) } },
    { endpoint: 'POST /v1/releases', spec: { method: 'POST', path: '/v1/releases', body: nextBody, headers: benchHeaders(true) } },
  ];
  const only = (env.BENCH_API_ENDPOINTS ?? '').split(',').filter(Boolean);
  const rounds: EndpointRound[] = [];
  for (const { endpoint, spec } of specs.filter((_, i) => only.length === 0 || only.includes(['get', 'list', 'post'][i]!))) {
    for (const s of [api, bareServer]) await load(s.url, s.pid, spec, Math.min(2, P.seconds), undefined); // warm-up
    for (let round = 1; round <= P.rounds; round++) {
      const order: Server[] = round % 2 === 1 ? [api, bareServer] : [bareServer, api];
      const r: EndpointRound = { endpoint, round, api: undefined!, bare: undefined! };
      for (const s of order) {
        const fixed = await load(s.url, s.pid, spec, P.seconds, P.rate);
        const sql0 = s === api ? await sql.snapshot([api]) : undefined;
        const pg0 = s === api ? await backendCpu(db.pool, db.name) : undefined;
        const sat = await load(s.url, s.pid, spec, P.seconds, undefined);
        const side = {
          fixed,
          saturation: sat,
          postgresCpuMsPerRequest: Number.NaN,
          sqlPerRequest: Number.NaN,
          transactionsPerRequest: Number.NaN,
          sqlShapes: [] as string[],
        };
        if (s === api) {
          side.postgresCpuMsPerRequest = (backendCpuDelta(pg0 ?? null, await backendCpu(db.pool, db.name)) * 1000) / sat.requests;
          const per = sqlPer(sql0!, await sql.snapshot([api]), ['api'], sat.requests);
          side.sqlPerRequest = per.perUnit;
          side.transactionsPerRequest = per.transactionsPerUnit;
          side.sqlShapes = per.topShapes.map((t) => `${t.perUnit.toFixed(2)} ${t.shape}`);
        }
        if (fixed.non2xx + sat.non2xx > 0) throw new Error(`${s.name} ${endpoint}: ${fixed.non2xx + sat.non2xx} non-2xx answers`);
        if (s === api) r.api = side;
        else r.bare = side;
      }
      log(
        `${endpoint} round ${round}: saturation api ${r.api.saturation.reqPerSec.toFixed(0)} / bare ${r.bare.saturation.reqPerSec.toFixed(0)} req/s; ` +
          `p99 at ${P.rate}/s api ${r.api.fixed.p99Ms.toFixed(1)} / bare ${r.bare.fixed.p99Ms.toFixed(1)} ms`,
      );
      rounds.push(r);
    }
  }

  const report: ApiReport = {
    at: new Date().toISOString(),
    params: {
      releases: P.releases,
      services: P.services,
      regions: 20,
      seconds: P.seconds,
      rounds: P.rounds,
      rate: P.rate,
      connections: 32,
      auth: 'on (admin bearer token)',
      accessLog: 'on (LOG_LEVEL=info, to a file)',
      readCache: P.readCacheMs === null ? '250 ms (the API default)' : P.readCacheMs === 0 ? 'off' : `${P.readCacheMs} ms`,
    },
    rounds,
  };
  printApiReport(report);
  log(
    `wrote ${writeApiMarkdown(
      report,
      env.BENCH_RESULTS_DIR || join(ROOT, 'bench', 'results'),
      (P.releases === 1000 && P.seconds === 10 && P.rounds === 3 ? '' : `-${P.releases}r-${P.seconds}s-x${P.rounds}`) +
        (P.readCacheMs === null ? '' : `-cache${P.readCacheMs}`),
    )}`,
  );
}

runBench('bench:api', main);
