/**
 * WorkloadClient over @kubernetes/client-node 1.x (its transport and auth via KubeRequests), one
 * per region's KubeConfig. Reads GET the Deployment and pick the few fields used from the plain
 * JSON (no typed models). Deploy is a strategic-merge patch (image by container name + release
 * labels); restore is a JSON merge patch that puts the recorded pod template and labels back
 * exactly. Patch responses are not parsed.
 */
import * as k8s from '@kubernetes/client-node';
import type { JsonObject, RecordedWorkload, RolloutObservation, Workload } from '#domain';
import { WorkloadError, type WorkloadClient } from '#application';
import { KubeRequests } from './kube-requests.js';

/** The fields of a Deployment the adapter reads; the rest of the JSON is ignored. */
interface DeploymentFields {
  metadata?: { generation?: number; labels?: Record<string, string> };
  spec?: { replicas?: number; template?: PodTemplateFields };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

/** The pod template is recorded whole (as JSON); of it only the containers' name and image are read. */
type PodTemplateFields = JsonObject & { spec?: { containers?: Array<{ name?: string; image?: string }> } };

export class ClientNodeWorkloads implements WorkloadClient {
  private readonly kube: KubeRequests;

  constructor(
    kubeConfig: k8s.KubeConfig,
    private readonly region: string,
    private readonly timeoutMs: number,
  ) {
    this.kube = new KubeRequests(kubeConfig);
  }

  async snapshot(w: Workload): Promise<RecordedWorkload> {
    const d = await this.read(w);
    return {
      workload: { ...w },
      image: this.containerImage(d, w),
      podTemplate: d.spec?.template ?? {}, // freshly parsed: nothing else holds it
      deploymentLabels: { ...(d.metadata?.labels ?? {}) },
    };
  }

  async deploy(w: Workload, image: string, labels: Record<string, string>): Promise<void> {
    const body = {
      metadata: { labels },
      spec: { template: { metadata: { labels }, spec: { containers: [{ name: w.container, image }] } } },
    };
    await this.call(`patch ${w.namespace}/${w.deployment}`, () =>
      this.kube.patch(deploymentPath(w), k8s.PatchStrategy.StrategicMergePatch, body),
    );
  }

  async restore(recorded: RecordedWorkload, stampedLabelKeys: readonly string[]): Promise<void> {
    const w = recorded.workload;
    const template = JSON.parse(JSON.stringify(recorded.podTemplate)) as JsonObject;
    const meta = (template.metadata ?? {}) as JsonObject;
    const templateLabels = { ...((meta.labels ?? {}) as Record<string, string>) } as Record<string, string | null>;
    const deploymentLabels = { ...recorded.deploymentLabels } as Record<string, string | null>;
    for (const key of stampedLabelKeys) {
      if (!(key in templateLabels)) templateLabels[key] = null;
      if (!(key in deploymentLabels)) deploymentLabels[key] = null;
    }
    template.metadata = { ...meta, labels: templateLabels };
    const body = { metadata: { labels: deploymentLabels }, spec: { template } };
    await this.call(`restore ${w.namespace}/${w.deployment}`, () => this.kube.patch(deploymentPath(w), k8s.PatchStrategy.MergePatch, body));
  }

  async observe(w: Workload): Promise<RolloutObservation> {
    const d = await this.read(w);
    const status = d.status ?? {};
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    return {
      generation: d.metadata?.generation ?? 0,
      observedGeneration: status.observedGeneration ?? 0,
      desiredReplicas: d.spec?.replicas ?? 1,
      replicas: status.replicas ?? 0,
      updatedReplicas: status.updatedReplicas ?? 0,
      readyReplicas: status.readyReplicas ?? 0,
      availableReplicas: status.availableReplicas ?? 0,
      progressDeadlineExceeded: progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded',
      image: d.spec?.template?.spec?.containers?.find((c) => c.name === w.container)?.image,
      message: progressing?.message,
    };
  }

  private read(w: Workload): Promise<DeploymentFields> {
    return this.call(
      `read ${w.namespace}/${w.deployment}`,
      async () => JSON.parse(await this.kube.get(deploymentPath(w))) as DeploymentFields,
    );
  }

  private containerImage(d: DeploymentFields, w: Workload): string {
    const container = d.spec?.template?.spec?.containers?.find((c) => c.name === w.container);
    if (!container?.image) {
      throw new WorkloadError(`${this.region}: deployment ${w.namespace}/${w.deployment} has no container "${w.container}"`, true);
    }
    return container.image;
  }

  /** Bound every call in time and translate failures into WorkloadError (permanent or not). */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new WorkloadError(`${this.region}: ${what} timed out after ${this.timeoutMs}ms`, false)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([fn(), timeout]);
    } catch (err) {
      if (err instanceof WorkloadError) throw err;
      if (err instanceof k8s.ApiException) {
        const code = err.code;
        const permanent = code === 400 || code === 401 || code === 403 || code === 404 || code === 415 || code === 422;
        throw new WorkloadError(`${this.region}: ${what} failed with HTTP ${code}: ${statusMessage(err.body)}`, permanent, code);
      }
      throw new WorkloadError(`${this.region}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`, false);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The Deployment's path, its namespace and name URL-encoded as the generated client does. */
function deploymentPath(w: Workload): string {
  return `/apis/apps/v1/namespaces/${encodeURIComponent(w.namespace)}/deployments/${encodeURIComponent(w.deployment)}`;
}

function statusMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      /* not JSON */
    }
    return body.slice(0, 200);
  }
  return 'no message';
}
