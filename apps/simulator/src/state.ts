/** In-memory state of all simulated regions: deployments, patch log, injected faults. */
import {
  desiredReplicas,
  imagesOf,
  newUid,
  progressDeadline,
  REVISION_ANNOTATION,
  replicaSetName,
  renderDeployment,
  seedSpec,
  templateLabels,
  type DeploymentSeed,
  type StoredDeployment,
} from './deployment.js';
import { BadImages, HttpFaults } from './faults.js';
import type { Json, JsonObject } from './json.js';
import { computeStatus, settledRollout, type DeploymentStatus } from './rollout.js';
import { TrafficModel, type TrafficOptions } from './traffic.js';
import { RouteStore } from './routes.js';

export interface SimConfig {
  regions: string[];
  seeds: DeploymentSeed[];
  /** Replicas of seeded deployments that do not name their own. */
  replicas: number;
  stepMs: number;
  progressDeadlineSeconds: number;
  now: () => number;
  traffic: TrafficOptions;
  /** How long the simulated gateway takes to report on an HTTPRoute change (default 100). */
  routeAcceptMs?: number;
}

export interface PatchLogEntry {
  seq: number;
  at: string;
  region: string;
  namespace: string;
  name: string;
  contentType: string;
  /** The parsed request body (the raw text when it was not JSON). */
  body: Json;
  changedSpec: boolean;
  /** Generation after the request (null when the deployment does not exist). */
  generation: number | null;
  resourceVersion: string | null;
  /** `{ container: image }` after the request. */
  images: Record<string, string>;
  /** Pod template labels after the request. */
  labels: Record<string, string>;
  /** Set when an injected HTTP fault applied (`status 500`, `delay 300ms`). */
  fault?: string;
  /** HTTP status when the request was not applied. */
  rejected?: number;
  message?: string;
}

export interface PatchLogFilter {
  region?: string;
  namespace?: string;
  name?: string;
}

export interface ConditionSummary {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface DeploymentSummary {
  namespace: string;
  name: string;
  images: Record<string, string>;
  generation: number;
  observedGeneration: number;
  resourceVersion: string;
  revision: number;
  replicas: number;
  statusReplicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  /** Ready pods on the newest template / on older templates. */
  currentReadyPods: number;
  previousReadyPods: number;
  complete: boolean;
  badRollout: boolean;
  rolloutStartedAt: string;
  available: ConditionSummary;
  progressing: ConditionSummary;
  labels: Record<string, string>;
  templateLabels: Record<string, string>;
}

export interface SimStateSnapshot {
  now: string;
  regions: Record<string, { deployments: DeploymentSummary[] }>;
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

export class SimState {
  readonly badImages = new BadImages();
  readonly httpFaults = new HttpFaults();
  /** Request rates, load-balancer weights, version faults, alerts and the /metrics counters. */
  readonly traffic: TrafficModel;
  /** HTTPRoutes of the edge cluster (served under /edge). */
  readonly routes: RouteStore;
  private regions = new Map<string, Map<string, StoredDeployment>>();
  private log: PatchLogEntry[] = [];
  private seq = 0;
  private rv = 1000;

  constructor(readonly config: SimConfig) {
    this.traffic = new TrafficModel(this, config.regions, config.traffic);
    this.routes = new RouteStore(
      {
        now: () => this.now(),
        nextResourceVersion: () => this.nextResourceVersion(),
        regionNames: () => [...config.regions],
        setLbWeight: (region, weight, now) => this.traffic.setWeight(region, weight, now),
      },
      config.routeAcceptMs ?? 100,
    );
    this.reset();
  }

  now(): number {
    return this.config.now();
  }

  regionNames(): string[] {
    return [...this.regions.keys()];
  }

  hasRegion(region: string): boolean {
    return this.regions.has(region);
  }

  /** The latest resourceVersion handed out (what a list reports). */
  resourceVersion(): string {
    return String(this.rv);
  }

  nextResourceVersion(): number {
    this.rv += 1;
    return this.rv;
  }

  /** Back to the seeded deployments; clears the patch log, bad images, HTTP faults and the traffic model. */
  reset(): void {
    this.traffic.reset(this.now());
    this.regions = new Map(this.config.regions.map((r) => [r, new Map<string, StoredDeployment>()]));
    this.log = [];
    this.seq = 0;
    this.badImages.clear();
    this.httpFaults.clear();
    for (const region of this.config.regions) for (const seed of this.config.seeds) this.seed(region, seed);
    this.routes.reset();
  }

  /** Creates or replaces a deployment in a region, fully rolled out. */
  seed(region: string, seed: DeploymentSeed): StoredDeployment {
    const deployments = this.regions.get(region);
    if (!deployments) throw new Error(`unknown region "${region}"`);
    const replicas = seed.replicas ?? this.config.replicas;
    const spec = seedSpec(seed, replicas, this.config.progressDeadlineSeconds);
    const now = this.now();
    const rollout = settledRollout({
      revision: 1,
      replicaSetName: replicaSetName(seed.name, spec['template']),
      readyAt: now,
      stepMs: this.config.stepMs,
      desired: replicas,
    });
    const stored: StoredDeployment = {
      namespace: seed.namespace,
      name: seed.name,
      uid: newUid(),
      creationTimestamp: rollout.startedAt,
      generation: 1,
      resourceVersion: this.nextResourceVersion(),
      labels: { ...(seed.labels ?? {}), app: seed.name },
      annotations: { [REVISION_ANNOTATION]: '1' },
      spec,
      rollout,
      observation: { generation: 1, observedAt: rollout.observedAt, before: emptyStatus() },
    };
    const replaced = deployments.get(key(seed.namespace, seed.name));
    if (replaced) this.traffic.beforeChange(region, replaced, now);
    deployments.set(key(seed.namespace, seed.name), stored);
    this.traffic.added(region, stored, now);
    return stored;
  }

  get(region: string, namespace: string, name: string): StoredDeployment | undefined {
    return this.regions.get(region)?.get(key(namespace, name));
  }

  list(region: string, namespace?: string): StoredDeployment[] {
    const all = [...(this.regions.get(region)?.values() ?? [])];
    const filtered = namespace === undefined ? all : all.filter((d) => d.namespace === namespace);
    return filtered.sort((a, b) => key(a.namespace, a.name).localeCompare(key(b.namespace, b.name)));
  }

  statusOf(d: StoredDeployment, at: number = this.now()): DeploymentStatus {
    const timing = {
      stepMs: this.config.stepMs,
      desired: desiredReplicas(d.spec),
      progressDeadlineSeconds: progressDeadline(d.spec),
    };
    return computeStatus(d.rollout, d.observation, timing, at);
  }

  render(d: StoredDeployment, withKind = true): JsonObject {
    return renderDeployment(d, this.statusOf(d), withKind);
  }

  appendLog(entry: Omit<PatchLogEntry, 'seq' | 'at'>): PatchLogEntry {
    this.seq += 1;
    const full: PatchLogEntry = { seq: this.seq, at: new Date(this.now()).toISOString(), ...entry };
    this.log.push(full);
    return full;
  }

  patchLog(filter: PatchLogFilter = {}): PatchLogEntry[] {
    return this.log
      .filter(
        (e) =>
          (filter.region === undefined || e.region === filter.region) &&
          (filter.namespace === undefined || e.namespace === filter.namespace) &&
          (filter.name === undefined || e.name === filter.name),
      )
      .map((e) => structuredClone(e));
  }

  summary(d: StoredDeployment): DeploymentSummary {
    const s = this.statusOf(d);
    return {
      namespace: d.namespace,
      name: d.name,
      images: imagesOf(d.spec),
      generation: d.generation,
      observedGeneration: s.observedGeneration,
      resourceVersion: String(d.resourceVersion),
      revision: d.rollout.revision,
      replicas: desiredReplicas(d.spec),
      statusReplicas: s.replicas,
      updatedReplicas: s.updatedReplicas,
      readyReplicas: s.readyReplicas,
      availableReplicas: s.availableReplicas,
      unavailableReplicas: s.unavailableReplicas,
      currentReadyPods: s.currentReadyPods,
      previousReadyPods: s.previousReadyPods,
      complete: s.complete && s.observedGeneration >= d.generation,
      badRollout: d.rollout.bad,
      rolloutStartedAt: new Date(d.rollout.startedAt).toISOString(),
      available: { status: s.available.status, reason: s.available.reason, message: s.available.message },
      progressing: { status: s.progressing.status, reason: s.progressing.reason, message: s.progressing.message },
      labels: { ...d.labels },
      templateLabels: templateLabels(d.spec),
    };
  }

  snapshot(): SimStateSnapshot {
    const regions: SimStateSnapshot['regions'] = {};
    for (const region of this.regions.keys()) {
      regions[region] = { deployments: this.list(region).map((d) => this.summary(d)) };
    }
    return { now: new Date(this.now()).toISOString(), regions };
  }
}

export function emptyStatus(): DeploymentStatus {
  const none = { status: 'False', reason: '', message: '', lastUpdateTime: 0, lastTransitionTime: 0 } as const;
  return {
    observedGeneration: 0,
    replicas: 0,
    updatedReplicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    unavailableReplicas: 0,
    currentReadyPods: 0,
    previousReadyPods: 0,
    complete: false,
    available: { ...none },
    progressing: { ...none },
  };
}
