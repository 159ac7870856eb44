/**
 * The region simulator's HTTP server: Kubernetes API per region under `/regions/{region}`, the
 * `/sim` control API, the global load balancer under `/lb` (see lb-api.ts) and Prometheus
 * metrics at `/metrics` (see metrics.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control-api.js';
import type { DeploymentSeed } from './deployment.js';
import type { HttpFault, HttpFaultSpec } from './faults.js';
import { sendJson, sendStatus } from './http-util.js';
import type { JsonObject } from './json.js';
import { handleKube } from './kube-api.js';
import { simulatorKubeconfig } from './kubeconfig.js';
import { handleLb } from './lb-api.js';
import { renderRoute, type RouteAcceptance } from './httproute.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js';
import type { RegionTraffic, RegionTrafficState } from './traffic.js';
import type { VersionFaultSpec } from './version-faults.js';
import { SimState, type DeploymentSummary, type PatchLogEntry, type PatchLogFilter, type SimStateSnapshot } from './state.js';

export type { RegionTraffic, RegionTrafficState } from './traffic.js';
export type { VersionFault, VersionFaultSpec } from './version-faults.js';
export type { LbEntry } from './load-balancer.js';
export type { RouteAcceptance } from './httproute.js';

export interface SimulatorDeployment {
  namespace: string;
  name: string;
  container: string;
  image?: string;
  replicas?: number;
}

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  regions: string[];
  /** Seeded into every region. Default: shop/checkout (container checkout, 3 replicas, image …/shop/checkout:1.0.0). */
  deployments?: SimulatorDeployment[];
  /** Replicas of seeded deployments that do not set their own (default 3). */
  replicas?: number;
  /** Time for one new replica to become ready during a rollout (default 500; 0 = instant). */
  stepMs?: number;
  /** Written into each Deployment's spec (default 600). */
  progressDeadlineSeconds?: number;
  /** When set, kube API requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Clock in epoch ms (default Date.now); rollouts and metrics are computed from it on each read. */
  now?: () => number;
  /** Base request rate of every region in requests/s (default 20). */
  rps?: number;
  /** Base median latency of every region in ms (default 50). */
  latencyMs?: number;
  /** Per-region base rate / latency, overriding `rps` / `latencyMs`. */
  traffic?: Record<string, RegionTraffic>;
  /** How long a load-balancer weight change takes to ramp linearly to its target (default 2000). */
  lbRampMs?: number;
  /** How long the simulated gateway takes to report Accepted/ResolvedRefs for an HTTPRoute change (default 100). */
  routeAcceptMs?: number;
}

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly regions: readonly string[];
  /** `${url}/regions/${region}`: the `server` of a kubeconfig cluster for that region. */
  regionUrl(region: string): string;
  /** `${url}/edge`: the edge cluster holding the HTTPRoutes (context `edge` in the kubeconfig). */
  readonly edgeUrl: string;
  /** A kubectl-format kubeconfig with one cluster + context per region (JSON is valid YAML). */
  kubeconfig(): JsonObject;
  close(): Promise<void>;
  state(): SimStateSnapshot;
  /** Summary (images, generation, counters, conditions) of one deployment. */
  deployment(region: string, namespace: string, name: string): DeploymentSummary | undefined;
  /** The apps/v1 Deployment object exactly as the kube API would return it now. */
  readDeployment(region: string, namespace: string, name: string): JsonObject | undefined;
  patchLog(filter?: PatchLogFilter): PatchLogEntry[];
  markBadImage(image: string, regions?: string[]): void;
  clearBadImages(): void;
  injectHttpFault(fault: HttpFaultSpec): HttpFault;
  clearHttpFaults(): void;
  /** Creates or replaces a deployment in a region, already rolled out. */
  seedDeployment(region: string, seed: DeploymentSeed): DeploymentSummary;
  /** Back to the seeded state; clears the patch log, bad images, HTTP faults, traffic changes,
   * load-balancer weights, version faults, alerts, the metrics counters, the HTTPRoutes and the
   * gateway acceptance switch. */
  reset(): void;
  /** Changes a region's base request rate and/or latency from now on. */
  setTraffic(region: string, traffic: RegionTraffic): RegionTrafficState;
  /** Adds a fault for every pod of a version; returns its id. Faults combine (error rates add, capped at 1). */
  injectVersionFault(fault: VersionFaultSpec): number;
  clearVersionFaults(): void;
  /** Sets `sim_region_alert{region, alert}` to 1 (firing) or 0. */
  setAlert(region: string, alert: string, firing: boolean): void;
  /** Sets a region's load-balancer weight (0..100); it ramps there over lbRampMs. */
  setWeight(region: string, weight: number): void;
  /** The current (ramped) load-balancer weight of every region. */
  weights(): Record<string, number>;
  /** The HTTPRoute exactly as the edge cluster's API would return it now. */
  readHttpRoute(namespace: string, name: string): JsonObject | undefined;
  /** What the simulated gateway reports for HTTPRoute changes from now on (Accepted/ResolvedRefs). */
  setRouteAcceptance(acceptance: RouteAcceptance): void;
  /** What `GET /metrics` would answer now. */
  metricsText(): string;
  /** The region's effective request rate now (requests/s). */
  regionRps(region: string): number;
}

export const DEFAULT_DEPLOYMENT: SimulatorDeployment = {
  namespace: 'shop',
  name: 'checkout',
  container: 'checkout',
  image: 'registry.example.com/shop/checkout:1.0.0',
};

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function validate(opts: SimulatorOptions): void {
  if (opts.regions.length === 0) throw new Error('the simulator needs at least one region');
  for (const r of opts.regions) if (!NAME.test(r)) throw new Error(`invalid region name "${r}"`);
  if (new Set(opts.regions).size !== opts.regions.length) throw new Error('duplicate region names');
  for (const d of opts.deployments ?? []) {
    if (!NAME.test(d.namespace) || !NAME.test(d.name)) throw new Error(`invalid deployment ${d.namespace}/${d.name}`);
  }
  const stepMs = opts.stepMs ?? 0;
  if (!Number.isFinite(stepMs) || stepMs < 0) throw new Error('stepMs must be >= 0');
  const pds = opts.progressDeadlineSeconds ?? 600;
  if (!Number.isInteger(pds) || pds <= 0) throw new Error('progressDeadlineSeconds must be a positive integer');
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  validate(opts);
  const host = opts.host ?? '127.0.0.1';
  const state = new SimState({
    regions: [...opts.regions],
    seeds: (opts.deployments ?? [DEFAULT_DEPLOYMENT]).map((d) => ({ ...d })),
    replicas: opts.replicas ?? 3,
    stepMs: opts.stepMs ?? 500,
    progressDeadlineSeconds: opts.progressDeadlineSeconds ?? 600,
    now: opts.now ?? Date.now,
    traffic: {
      rps: opts.rps ?? 20,
      latencyMs: opts.latencyMs ?? 50,
      regions: opts.traffic ?? {},
      lbRampMs: opts.lbRampMs ?? 2000,
    },
    ...(opts.routeAcceptMs !== undefined ? { routeAcceptMs: opts.routeAcceptMs } : {}),
  });
  const shutdown = new AbortController();
  let url = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const parsed = new URL(req.url ?? '/', 'http://simulator');
    const path = parsed.pathname;
    const region = /^\/regions\/([^/]+)(\/.*)?$/.exec(path);
    const kubeCtx = { state, signal: shutdown.signal, ...(opts.token !== undefined ? { token: opts.token } : {}) };
    if (region) {
      const cluster = { kind: 'region', region: decodeURIComponent(region[1] ?? '') } as const;
      return handleKube(kubeCtx, req, res, cluster, region[2] ?? '/', parsed.searchParams);
    }
    const edge = /^\/edge(\/.*)?$/.exec(path);
    if (edge) return handleKube(kubeCtx, req, res, { kind: 'edge' }, edge[1] ?? '/', parsed.searchParams);
    if (path === '/sim' || path.startsWith('/sim/')) {
      const ctlCtx = { state, url: () => url, ...(opts.token !== undefined ? { token: opts.token } : {}) };
      return handleControl(ctlCtx, req, res, path.slice(4), parsed.searchParams);
    }
    if (path === '/lb' || path.startsWith('/lb/')) {
      return handleLb({ state, ...(opts.token !== undefined ? { token: opts.token } : {}) }, req, res, path.slice(3));
    }
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      const text = renderMetrics(state.traffic, state.regionNames(), state.now());
      res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    if (path === '/healthz') return sendJson(res, 200, { ok: true, regions: state.regionNames() });
    return sendJson(res, 404, {
      error: `not found: ${path} (kube API under /regions/{region}, control API under /sim, load balancer under /lb, metrics at /metrics)`,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      sendStatus(res, 500, `simulator error: ${message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    regions: [...opts.regions],
    regionUrl: (region) => `${url}/regions/${region}`,
    edgeUrl: `${url}/edge`,
    kubeconfig: () => simulatorKubeconfig(url, state.regionNames(), opts.token),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        shutdown.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
    state: () => state.snapshot(),
    deployment: (region, namespace, name) => {
      const d = state.get(region, namespace, name);
      return d ? state.summary(d) : undefined;
    },
    readDeployment: (region, namespace, name) => {
      const d = state.get(region, namespace, name);
      return d ? state.render(d) : undefined;
    },
    patchLog: (filter) => state.patchLog(filter),
    markBadImage: (image, regions) => state.badImages.mark(image, regions),
    clearBadImages: () => state.badImages.clear(),
    injectHttpFault: (fault) => state.httpFaults.add(fault),
    clearHttpFaults: () => state.httpFaults.clear(),
    seedDeployment: (region, seed) => state.summary(state.seed(region, seed)),
    reset: () => state.reset(),
    setTraffic: (region, traffic) => state.traffic.setTraffic(region, traffic, state.now()),
    injectVersionFault: (fault) => state.traffic.addFault(fault, state.now()).id,
    clearVersionFaults: () => state.traffic.clearFaults(state.now()),
    setAlert: (region, alert, firing) => state.traffic.setAlert(region, alert, firing),
    setWeight: (region, weight) => state.traffic.setWeight(region, weight, state.now()),
    weights: () => {
      const now = state.now();
      return Object.fromEntries(state.regionNames().map((r) => [r, state.traffic.lb.weightAt(r, now)]));
    },
    readHttpRoute: (namespace, name) => {
      const r = state.routes.get(namespace, name);
      return r ? renderRoute(r, state.now()) : undefined;
    },
    setRouteAcceptance: (acceptance) => state.routes.setAcceptance(acceptance),
    metricsText: () => renderMetrics(state.traffic, state.regionNames(), state.now()),
    regionRps: (region) => state.traffic.regionRps(region, state.now()),
  };
}
