/**
 * In-memory Kubernetes clusters (the engine's `Clusters` port): one Deployment per region and
 * workload, created on first use running `<deployment>:1.0.0`. A patch bumps the generation and
 * starts a rollout that completes `rolloutMs` later on the test's clock (0 = at once), or never
 * (`stuck`), or reports ProgressDeadlineExceeded (`deadline`). Every call is logged in order.
 */
import type { JsonObject, RecordedWorkload, RolloutObservation, Workload } from '#domain';
import { WorkloadError, type Clock, type Clusters, type WorkloadClient } from '#application';

export type RolloutBehaviour = { kind: 'complete'; rolloutMs: number } | { kind: 'stuck' } | { kind: 'deadline' };

export interface ClusterCall {
  region: string;
  op: 'snapshot' | 'deploy' | 'restore' | 'observe';
  deployment: string;
  /** the image a deploy or restore asked for */
  image?: string;
  atMs: number;
}

interface FakeDeployment {
  image: string;
  container: string;
  podLabels: Record<string, string>;
  labels: Record<string, string>;
  generation: number;
  observedGeneration: number;
  /** the rollout of the current generation completes at this moment (null: never) */
  readyAtMs: number | null;
  deadlineExceeded: boolean;
}

export class FakeClusters implements Clusters {
  readonly calls: ClusterCall[] = [];
  private readonly deployments = new Map<string, FakeDeployment>();
  private readonly behaviours = new Map<string, RolloutBehaviour>();
  private readonly failures = new Map<string, WorkloadError>();
  private readonly replicas = 3;

  constructor(private readonly clock: Clock) {}

  /** How the region's next rollouts (deploy and restore) go. */
  setRollout(region: string, behaviour: RolloutBehaviour): void {
    this.behaviours.set(region, behaviour);
  }

  /** Every call to the region throws this until `heal`. */
  breakRegion(region: string, error = new WorkloadError(`region ${region}: 503 Service Unavailable`, false, 503)): void {
    this.failures.set(region, error);
  }

  heal(region: string): void {
    this.failures.delete(region);
  }

  /** The image the region's Deployment runs now. */
  image(region: string, deployment: string): string {
    return this.deploymentOf(region, { namespace: 'shop', deployment, container: deployment }).image;
  }

  /** The Deployment's own labels now. */
  labels(region: string, deployment: string): Record<string, string> {
    return { ...this.deploymentOf(region, { namespace: 'shop', deployment, container: deployment }).labels };
  }

  /** The calls of one kind, as `region` strings in call order. */
  regionsCalled(op: ClusterCall['op']): string[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.region);
  }

  forRegion(region: string): WorkloadClient {
    return {
      snapshot: async (w) => this.call(region, 'snapshot', w, undefined, (d) => this.record(w, d)),
      deploy: async (w, image, labels) =>
        this.call(region, 'deploy', w, image, (d) => {
          d.image = image;
          d.podLabels = { ...d.podLabels, ...labels };
          d.labels = { ...d.labels, ...labels };
          this.startRollout(region, d);
        }),
      restore: async (recorded, stamped) =>
        this.call(region, 'restore', recorded.workload, recorded.image, (d) => {
          const template = recorded.podTemplate as { metadata?: { labels?: Record<string, string> } };
          d.image = recorded.image;
          // a JSON merge patch of the recorded labels, with null for stamped keys they lacked
          d.podLabels = restoredLabels(d.podLabels, template.metadata?.labels ?? {}, stamped);
          d.labels = restoredLabels(d.labels, recorded.deploymentLabels, stamped);
          this.startRollout(region, d);
        }),
      observe: async (w) => this.call(region, 'observe', w, undefined, (d) => this.observation(d)),
    };
  }

  private call<T>(region: string, op: ClusterCall['op'], w: Workload, image: string | undefined, fn: (d: FakeDeployment) => T): T {
    this.calls.push({ region, op, deployment: w.deployment, ...(image !== undefined ? { image } : {}), atMs: this.clock.now().getTime() });
    const failure = this.failures.get(region);
    if (failure) throw failure;
    return fn(this.deploymentOf(region, w));
  }

  private deploymentOf(region: string, w: Workload): FakeDeployment {
    const key = `${region}/${w.namespace}/${w.deployment}`;
    let d = this.deployments.get(key);
    if (!d) {
      const labels = { app: w.deployment, 'app.kubernetes.io/version': '1.0.0' };
      d = {
        image: `registry.example.com/shop/${w.deployment}:1.0.0`,
        container: w.container,
        podLabels: { ...labels },
        labels: { ...labels },
        generation: 1,
        observedGeneration: 1,
        readyAtMs: 0,
        deadlineExceeded: false,
      };
      this.deployments.set(key, d);
    }
    return d;
  }

  private record(w: Workload, d: FakeDeployment): RecordedWorkload {
    const podTemplate: JsonObject = {
      metadata: { labels: { ...d.podLabels } },
      spec: { containers: [{ name: d.container, image: d.image }] },
    };
    return { workload: { ...w }, image: d.image, podTemplate, deploymentLabels: { ...d.labels } };
  }

  private startRollout(region: string, d: FakeDeployment): void {
    const behaviour = this.behaviours.get(region) ?? { kind: 'complete', rolloutMs: 0 };
    d.generation += 1;
    d.observedGeneration = d.generation;
    d.deadlineExceeded = behaviour.kind === 'deadline';
    d.readyAtMs = behaviour.kind === 'complete' ? this.clock.now().getTime() + behaviour.rolloutMs : null;
  }

  private observation(d: FakeDeployment): RolloutObservation {
    const done = d.readyAtMs !== null && d.readyAtMs <= this.clock.now().getTime();
    const updated = done ? this.replicas : 1;
    return {
      generation: d.generation,
      observedGeneration: d.observedGeneration,
      desiredReplicas: this.replicas,
      replicas: done ? this.replicas : this.replicas + 1,
      updatedReplicas: updated,
      readyReplicas: updated,
      availableReplicas: updated,
      progressDeadlineExceeded: d.deadlineExceeded,
      image: d.image,
      ...(d.deadlineExceeded ? { message: 'ReplicaSet has timed out progressing' } : {}),
    };
  }
}

function restoredLabels(now: Record<string, string>, recorded: Record<string, string>, stamped: readonly string[]): Record<string, string> {
  const kept = Object.entries(now).filter(([k]) => !stamped.includes(k) || k in recorded);
  return { ...Object.fromEntries(kept), ...recorded };
}
