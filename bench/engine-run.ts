/**
 * The engine side: a config directory for N services sharing one plan, the API and worker
 * processes, N concurrent releases, and what Postgres recorded about them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { mapLimit, percentile, sleep } from './support.js';
import { BENCH_AUTH, BENCH_TOKEN } from './token.js';

export interface Stage {
  name: string;
  regions: string[];
}

export interface ConfigParams {
  simulatorUrl: string;
  services: string[];
  stages: Stage[];
  pollInterval: string;
  sweepInterval: string;
  workerConcurrency: number;
}

export const NAMESPACE = 'bench';
export const image = (service: string, version: string) => `registry.example.com/${NAMESPACE}/${service}:${version}`;

/** Write tideline.yaml, regions.yaml, one service file per service and plans/bench.yaml (JSON is YAML). */
export function writeBenchConfig(p: ConfigParams): string {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-bench-config-'));
  mkdirSync(join(dir, 'services'));
  mkdirSync(join(dir, 'plans'));
  const json = (file: string, value: unknown) => writeFileSync(join(dir, file), JSON.stringify(value, null, 2));
  json('tideline.yaml', {
    engine: { pollInterval: p.pollInterval, sweepInterval: p.sweepInterval, workerConcurrency: p.workerConcurrency },
    auth: BENCH_AUTH,
  });
  const regions = p.stages.flatMap((s) => s.regions);
  json('regions.yaml', {
    regions: regions.map((name) => ({ name, kubernetes: { server: `${p.simulatorUrl}/regions/${name}`, skipTLSVerify: true } })),
  });
  for (const service of p.services) {
    json(`services/${service}.yaml`, {
      name: service,
      plan: 'bench',
      workloads: [{ namespace: NAMESPACE, deployment: service, container: 'app' }],
    });
  }
  const [canary, ...waves] = p.stages;
  json('plans/bench.yaml', {
    name: 'bench',
    defaults: { bake: '0s', progressDeadline: '5m', onFailure: 'rollback' },
    canary: { region: canary!.regions[0] },
    waves: waves.map((w) => ({ name: w.name, regions: w.regions, maxParallel: w.regions.length })),
  });
  return dir;
}

export interface EngineRunParams {
  apiUrl: string;
  pool: pg.Pool;
  services: string[];
  regionsPerRelease: number;
  inFlight: number;
  timeoutMs: number;
}

export interface EngineResult {
  releases: number;
  regionSteps: number;
  /** first POST → latest ended_at */
  wallMs: number;
  /** first POST → last POST answered */
  submitMs: number;
  regionStepsPerSec: number;
  /** gap = first region.patched of stage k+1 − last region.verified of stage k */
  waveGap: { pairs: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** per release: created → first region.deploying (waiting for a worker slot) and from there → ended */
  releaseMs: { waitP50: number; waitP99: number; runP50: number; runP99: number };
  /** per release: ticks scheduled (tick_seq) */
  ticksPerRelease: { mean: number; max: number };
  states: Record<string, number>;
}

const TERMINAL = ['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded'];

async function post(apiUrl: string, service: string): Promise<void> {
  const res = await fetch(`${apiUrl}/v1/releases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
    body: JSON.stringify({ service, version: '2.0.0', image: image(service, '2.0.0'), releaseNumber: 1 }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /v1/releases for ${service}: ${res.status} ${text.slice(0, 300)}`);
}

async function stateCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM releases GROUP BY state');
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

/** POST every release (`inFlight` at a time) and wait until all of them ended. */
export async function runEngine(p: EngineRunParams, progress: (line: string) => void): Promise<EngineResult> {
  const t0 = Date.now();
  await mapLimit(p.services, p.inFlight, (s) => post(p.apiUrl, s));
  const submitMs = Date.now() - t0;
  progress(`engine: ${p.services.length} releases submitted in ${submitMs} ms`);

  const deadline = t0 + p.timeoutMs;
  let lastReport = Date.now();
  let states: Record<string, number> = {};
  for (;;) {
    states = await stateCounts(p.pool);
    const ended = TERMINAL.reduce((n, s) => n + (states[s] ?? 0), 0);
    if (ended === p.services.length) break;
    if (Date.now() > deadline) throw new Error(`releases did not all end within ${p.timeoutMs} ms: ${JSON.stringify(states)}`);
    if (Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      progress(`engine: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${JSON.stringify(states)}`);
    }
    await sleep(100);
  }
  if ((states['succeeded'] ?? 0) !== p.services.length) throw new Error(`not every release succeeded: ${JSON.stringify(states)}`);

  const { rows: endRows } = await p.pool.query<{ last_ms: string }>(
    `SELECT (EXTRACT(EPOCH FROM max(ended_at)) * 1000)::text AS last_ms FROM releases`,
  );
  const wallMs = Number(endRows[0]!.last_ms) - t0;
  const { rows: verRows } = await p.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM region_targets WHERE state = 'verified'`);
  const regionSteps = verRows[0]!.n;
  if (regionSteps !== p.services.length * p.regionsPerRelease) {
    throw new Error(`expected ${p.services.length * p.regionsPerRelease} verified region targets, found ${regionSteps}`);
  }
  const { rows: tickRows } = await p.pool.query<{ mean: number; max: number }>(
    'SELECT avg(tick_seq)::float8 AS mean, max(tick_seq)::int AS max FROM releases',
  );
  return {
    releases: p.services.length,
    regionSteps,
    wallMs,
    submitMs,
    regionStepsPerSec: regionSteps / (wallMs / 1000),
    waveGap: await waveGaps(p.pool),
    releaseMs: await releaseTimes(p.pool),
    ticksPerRelease: { mean: tickRows[0]!.mean, max: tickRows[0]!.max },
    states,
  };
}

/** For each release and consecutive stages k, k+1: min(patched in k+1) − max(verified in k), from release_events. */
async function waveGaps(pool: pg.Pool): Promise<EngineResult['waveGap']> {
  const { rows } = await pool.query<{ gap_ms: number }>(`
    WITH ev AS (
      SELECT e.release_id, t.stage_index, e.type, e.created_at
      FROM release_events e
      JOIN region_targets t ON t.release_id = e.release_id AND t.region = e.region
      WHERE e.type IN ('region.patched', 'region.verified')
    ), s AS (
      SELECT release_id, stage_index,
        min(created_at) FILTER (WHERE type = 'region.patched') AS first_patch,
        max(created_at) FILTER (WHERE type = 'region.verified') AS last_verified
      FROM ev GROUP BY release_id, stage_index
    )
    SELECT (EXTRACT(EPOCH FROM (b.first_patch - a.last_verified)) * 1000)::float8 AS gap_ms
    FROM s a JOIN s b ON b.release_id = a.release_id AND b.stage_index = a.stage_index + 1`);
  const gaps = rows.map((r) => r.gap_ms);
  return {
    pairs: gaps.length,
    p50Ms: percentile(gaps, 50),
    p99Ms: percentile(gaps, 99),
    maxMs: gaps.length ? Math.max(...gaps) : Number.NaN,
  };
}

async function releaseTimes(pool: pg.Pool): Promise<EngineResult['releaseMs']> {
  const { rows } = await pool.query<{ wait_ms: number; run_ms: number }>(`
    SELECT (EXTRACT(EPOCH FROM (d.first_deploy - r.created_at)) * 1000)::float8 AS wait_ms,
           (EXTRACT(EPOCH FROM (r.ended_at - d.first_deploy)) * 1000)::float8 AS run_ms
    FROM releases r
    JOIN (SELECT release_id, min(created_at) AS first_deploy FROM release_events WHERE type = 'region.deploying' GROUP BY release_id) d
      ON d.release_id = r.id`);
  const wait = rows.map((r) => r.wait_ms);
  const run = rows.map((r) => r.run_ms);
  return { waitP50: percentile(wait, 50), waitP99: percentile(wait, 99), runP50: percentile(run, 50), runP99: percentile(run, 99) };
}
