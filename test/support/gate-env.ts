/**
 * A whole Tideline for gate tests: the simulator (with metrics), a real Prometheus scraping it
 * every second, a fresh Postgres database, and the API and worker as processes, configured
 * with several services, each with its own plan.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatesView } from '#view-types';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../apps/simulator/src/server.js';
import { startPrometheus, type RunningPrometheus } from '../../scripts/prometheus.js';
import { call, waitForRelease, type ReleaseBody } from './api-client.js';
import { testAuth } from './auth.js';
import { startApi, startWorker, type Proc } from './processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from './services.js';

/** The simulator's request counter for the service's version in the region, as gates use it. */
const SEL = 'region="{{region}}", deployment="{{service}}", version="{{version}}"';
export const ERROR_RATE_QUERY = `sum(rate(sim_http_requests_total{${SEL}, code="500"}[{{window}}])) / sum(rate(sim_http_requests_total{${SEL}}[{{window}}]))`;
export const REQUESTS_QUERY = `sum(increase(sim_http_requests_total{${SEL}}[{{window}}]))`;
export const P90_BASELINE_QUERY =
  'histogram_quantile(0.9, sum by (le) (rate(sim_http_request_duration_seconds_bucket{region=~"{{region}}", deployment="{{service}}", version="{{version}}"}[{{window}}])))';
export const REGION_RATE_QUERY = 'sum(rate(sim_http_requests_total{region="{{region}}"}[{{window}}]))';

export interface ServicePlan {
  service: string;
  plan: Record<string, unknown>;
}

export interface GateEnvOptions {
  regions: string[];
  services: ServicePlan[];
  /** extra keys per region in regions.yaml (deploymentWindow, traffic…) */
  regionExtras?: (region: string, simulatorUrl: string) => Record<string, unknown>;
  /** regions.yaml defaults besides prometheus */
  regionDefaults?: (simulatorUrl: string) => Record<string, unknown>;
  preflight?: Record<string, unknown>;
  simulator?: Partial<SimulatorOptions>;
  /** extra environment for the API and worker */
  env?: NodeJS.ProcessEnv;
  /** API tokens besides the test admin (auth.tokens entries) */
  tokens?: Array<Record<string, unknown>>;
}

export interface GateEnv {
  sim: RunningSimulator;
  prom: RunningPrometheus;
  db: TestDatabase;
  api: Proc & { url: string };
  worker: Proc;
  /** the environment the API and worker run with (to start more of them) */
  env: NodeJS.ProcessEnv;
  processEnv: NodeJS.ProcessEnv;
  create(service: string, version: string, releaseNumber: number): Promise<ReleaseBody>;
  waitFor(id: string, done: (r: ReleaseBody) => boolean, timeoutMs?: number): Promise<ReleaseBody>;
  gates(id: string): Promise<GatesView>;
  events(id: string): Promise<
    Array<{
      id: string;
      type: string;
      region: string | null;
      reason: string | null;
      actor: string;
      data: Record<string, unknown> | null;
      at: string;
    }>
  >;
  close(): Promise<void>;
}

export const image = (service: string, version: string) => `registry.example.com/shop/${service}:${version}`;

/** Starts everything; when a part fails to start (a loaded machine), what had started is stopped, not orphaned. */
export async function startGateEnv(o: GateEnvOptions): Promise<GateEnv> {
  const started: Array<() => Promise<unknown>> = [];
  try {
    return await startGateEnvParts(o, started);
  } catch (err) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

async function startGateEnvParts(o: GateEnvOptions, started: Array<() => Promise<unknown>>): Promise<GateEnv> {
  const sim = await startSimulator({
    regions: o.regions,
    stepMs: 50,
    progressDeadlineSeconds: 5,
    deployments: o.services.map((s) => ({ namespace: 'shop', name: s.service, container: s.service, image: image(s.service, '1.0.0') })),
    ...o.simulator,
  });
  started.push(() => sim.close());
  const prom = await startPrometheus({ scrapeTargets: [new URL(sim.url).host] });
  started.push(() => prom.close());
  const db = await createTestDatabase();
  started.push(() => db.drop());
  const dir = mkdtempSync(join(tmpdir(), 'tideline-gates-'));
  mkdirSync(join(dir, 'services'));
  mkdirSync(join(dir, 'plans'));
  writeFileSync(
    join(dir, 'tideline.yaml'),
    JSON.stringify({
      engine: { pollInterval: '100ms', sweepInterval: '2s', workerConcurrency: 8 },
      auth: testAuth(o.tokens),
      ...(o.preflight ? { preflight: o.preflight } : {}),
    }),
  );
  writeFileSync(
    join(dir, 'regions.yaml'),
    JSON.stringify({
      defaults: { prometheus: { url: prom.url, timeout: '2s' }, ...o.regionDefaults?.(sim.url) },
      regions: o.regions.map((name) => ({
        name,
        kubernetes: { server: `${sim.url}/regions/${name}`, skipTLSVerify: true },
        ...o.regionExtras?.(name, sim.url),
      })),
    }),
  );
  for (const s of o.services) {
    writeFileSync(
      join(dir, 'services', `${s.service}.yaml`),
      JSON.stringify({ name: s.service, plan: s.service, workloads: [{ namespace: 'shop', deployment: s.service, container: s.service }] }),
    );
    writeFileSync(join(dir, 'plans', `${s.service}.yaml`), JSON.stringify({ name: s.service, ...s.plan }));
  }
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: db.url,
    REDIS_URL,
    TIDELINE_QUEUE_PREFIX: uniquePrefix(),
    TIDELINE_CONFIG_DIR: dir,
    LOG_LEVEL: 'info',
    TIDELINE_JOB_LOCK_MS: '1500',
    ...o.env,
  };
  const api = await startApi(env);
  started.push(() => api.kill());
  const worker = await startWorker(env);
  started.push(() => worker.kill());
  // Every region's traffic is in Prometheus before a test begins.
  await prom.waitFor(
    'count(sum by (region) (rate(sim_http_requests_total[5s])) > 0)',
    (s) => (s[0]?.value ?? 0) >= o.regions.length - countQuiet(o),
    30_000,
  );

  return {
    sim,
    prom,
    db,
    api,
    worker,
    env,
    processEnv: env,
    async create(service, version, releaseNumber) {
      const res = await call<ReleaseBody>(api.url, 'POST', '/v1/releases', {
        service,
        version,
        image: image(service, version),
        releaseNumber,
      });
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    waitFor: (id, done, timeoutMs = 60_000) => waitForRelease(api.url, id, done, timeoutMs),
    async gates(id) {
      return (await call<GatesView>(api.url, 'GET', `/v1/releases/${id}/gates?limit=1000`)).body;
    },
    async events(id) {
      return (await call<{ items: Awaited<ReturnType<GateEnv['events']>> }>(api.url, 'GET', `/v1/releases/${id}/events`)).body.items;
    },
    async close() {
      await worker?.kill();
      await api?.kill();
      await db?.drop();
      await prom?.close();
      await sim?.close();
    },
  };
}

function countQuiet(o: GateEnvOptions): number {
  return Object.values(o.simulator?.traffic ?? {}).filter((t) => t.rps === 0).length;
}

export function regionState(r: ReleaseBody, region: string): string | undefined {
  return r.stages.flatMap((s) => s.regions).find((x) => x.region === region)?.state;
}
