/** The API bench's output: per-round figures, ratios API / bare (median and spread), a markdown file under bench/results/. */
import { resultFile } from './support.js';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import type { LoadResult } from './api-load.js';

export interface Side {
  fixed: LoadResult;
  saturation: LoadResult;
  /** CPU ms of the bench database's Postgres backends per request at saturation (API only) */
  postgresCpuMsPerRequest: number;
  /** SQL statements (BEGIN/COMMIT included) and transactions per request at saturation (API only) */
  sqlPerRequest: number;
  transactionsPerRequest: number;
  /** the most frequent statement shapes per request (API only) */
  sqlShapes: string[];
}

export interface EndpointRound {
  endpoint: string;
  round: number;
  api: Side;
  bare: Side;
}

export interface ApiReport {
  at: string;
  params: Record<string, string | number>;
  rounds: EndpointRound[];
}

/** Goals of issue 13: saturation ratio floor per endpoint, p99 at the fixed rate ≤ 2 × bare. */
const SATURATION_GOAL: Record<string, number> = { 'GET /v1/releases/:id': 0.5, 'GET /v1/releases (50)': 0.5, 'POST /v1/releases': 0.3 };
const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

function spread(values: number[], d = 2): string {
  const s = [...values].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return s.length > 1 ? `${f(median, d)} (${f(s[0]!, d)}–${f(s.at(-1)!, d)})` : f(median, d);
}

function summary(r: ApiReport): string[] {
  const endpoints = [...new Set(r.rounds.map((x) => x.endpoint))];
  const out = [`ratios API / bare NestJS, median (min–max) over ${r.params.rounds} round(s); goal in brackets`];
  for (const e of endpoints) {
    const rs = r.rounds.filter((x) => x.endpoint === e);
    const col = (fn: (x: EndpointRound) => number, d = 2) => spread(rs.map(fn), d);
    out.push(
      `${e}`,
      `  saturation req/s: api ${col((x) => x.api.saturation.reqPerSec, 0)}, bare ${col((x) => x.bare.saturation.reqPerSec, 0)} → ratio ${col((x) => x.api.saturation.reqPerSec / x.bare.saturation.reqPerSec)} [≥ ${SATURATION_GOAL[e] ?? '?'}]`,
      `  CPU ms/request at saturation: api ${col((x) => x.api.saturation.cpuMsPerRequest)} (+ Postgres ${col((x) => x.api.postgresCpuMsPerRequest)}), bare ${col((x) => x.bare.saturation.cpuMsPerRequest)} → CPU-cost ratio bare / (api + Postgres) ${col((x) => x.bare.saturation.cpuMsPerRequest / (x.api.saturation.cpuMsPerRequest + x.api.postgresCpuMsPerRequest))}`,
      `  SQL per request: ${col((x) => x.api.sqlPerRequest)} statements in ${col((x) => x.api.transactionsPerRequest)} transactions: ${rs.at(-1)!.api.sqlShapes.join(', ')}`,
      `  at ${r.params.rate} req/s: p50 api ${col((x) => x.api.fixed.p50Ms, 1)} / bare ${col((x) => x.bare.fixed.p50Ms, 1)} ms; p99 api ${col((x) => x.api.fixed.p99Ms, 1)} / bare ${col((x) => x.bare.fixed.p99Ms, 1)} ms → p99 ratio ${col((x) => x.api.fixed.p99Ms / x.bare.fixed.p99Ms)} [≤ 2]; achieved api ${col((x) => x.api.fixed.reqPerSec, 0)} req/s`,
    );
  }
  return out;
}

export function printApiReport(r: ApiReport): void {
  console.log('');
  for (const l of summary(r)) console.log(l);
  console.log('');
  console.log(JSON.stringify({ bench: 'api-latency', ...r }));
}

/** Write bench/results/api-latency-<date>[suffix].md; returns its path. */
export function writeApiMarkdown(r: ApiReport, dir: string, suffix: string): string {
  const file = resultFile(dir, 'api-latency', r.at, suffix);
  const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const md = [
    `# API latency — ${r.at}`,
    '',
    '```',
    ...summary(r),
    '```',
    '',
    '## Every round',
    '',
    row([
      'endpoint',
      'round',
      'server',
      'sat. req/s',
      'CPU ms/req',
      'Postgres CPU ms/req',
      'SQL/req',
      `p50 @${r.params.rate}/s`,
      `p99 @${r.params.rate}/s`,
      'achieved req/s',
    ]),
    row(Array.from({ length: 10 }, () => '---')),
    ...r.rounds.flatMap((x) =>
      (['api', 'bare'] as const).map((s) =>
        row([
          x.endpoint,
          x.round,
          s,
          f(x[s].saturation.reqPerSec, 0),
          f(x[s].saturation.cpuMsPerRequest, 2),
          f(x[s].postgresCpuMsPerRequest, 2),
          f(x[s].sqlPerRequest, 2),
          f(x[s].fixed.p50Ms),
          f(x[s].fixed.p99Ms),
          f(x[s].fixed.reqPerSec, 0),
        ]),
      ),
    ),
    '',
    '## How it is measured',
    '',
    '- Both servers run from the same node_modules; the bare app (bench/api-bare.ts) answers the bytes the real API answered for the same requests (captured after seeding). Rounds alternate which server goes first.',
    "- fixed rate (p50/p99 latency, ms): paced evenly from the bench process (request k due at start + k / rate, over at most 32 keep-alive connections; bench/paced-load.ts), latency from when a request was due to its last byte. Saturation: autocannon, 32 connections (completed requests ÷ duration). CPU: /proc user+system of the server process; Postgres: the backends connected to the bench database (pg_stat_activity). (Until 2026-12-02 the fixed rate was autocannon's overallRate, which sends each second's requests in a burst at its start and, with coordinated-omission correction at a 1 ms expected interval, adds synthetic samples below every slow answer: its p50/p99 measured the bursts.)",
    '- SQL per request: every `pg.Client#query` of the API process during the saturation run (bench/sql-count-preload.ts), BEGIN/COMMIT included.',
    '- GET by id cycles over 100 seeded releases; the list is `GET /v1/releases` (50 by default, newest first); each POST creates a new release of one of 50 services (queued behind its running one).',
    '',
    '## Parameters',
    '',
    row(['parameter', 'value']),
    row(['---', '---']),
    ...Object.entries(r.params).map(([k, v]) => row([k, String(v)])),
    row(['machine', `${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown'}, node ${process.version}`]),
    '',
  ];
  writeFileSync(file, md.join('\n'));
  return file;
}
