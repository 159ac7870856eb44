/** The stored apps/v1 Deployment: construction, API-server defaulting, validation, rendering. */
import { createHash, randomUUID } from 'node:crypto';
import { deepEqual, getArray, getNumber, getObject, getString, isObject, stringMap, type Json, type JsonObject } from './json.js';
import { k8sTime, renderStatus, type DeploymentStatus, type Observation, type Rollout } from './rollout.js';

export interface DeploymentSeed {
  namespace: string;
  name: string;
  container: string;
  image?: string;
  replicas?: number;
  /** Extra labels for the Deployment and its pod template (`app: <name>` is always set). */
  labels?: Record<string, string>;
}

export interface StoredDeployment {
  namespace: string;
  name: string;
  uid: string;
  creationTimestamp: number;
  generation: number;
  resourceVersion: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: JsonObject;
  rollout: Rollout;
  observation: Observation;
}

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export function defaultImage(namespace: string, name: string): string {
  return `registry.example.com/${namespace}/${name}:1.0.0`;
}

/** The spec of a freshly created Deployment, already defaulted. */
export function seedSpec(seed: DeploymentSeed, replicas: number, progressDeadlineSeconds: number): JsonObject {
  const labels: JsonObject = { ...(seed.labels ?? {}), app: seed.name };
  return applyDefaults({
    replicas,
    selector: { matchLabels: { app: seed.name } },
    progressDeadlineSeconds,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels },
      spec: {
        containers: [
          {
            name: seed.container,
            image: seed.image ?? defaultImage(seed.namespace, seed.name),
            ports: [{ containerPort: 8080, name: 'http' }],
          },
        ],
      },
    },
  });
}

function setDefault(obj: JsonObject, key: string, value: Json): void {
  if (obj[key] === undefined) obj[key] = value;
}

/** Applies (a subset of) the API server's defaulting, so equivalent specs compare equal. */
export function applyDefaults(spec: JsonObject): JsonObject {
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  setDefault(spec, 'strategy', { type: 'RollingUpdate' });
  const strategy = getObject(spec, 'strategy');
  if (strategy && strategy['type'] === 'RollingUpdate') {
    setDefault(strategy, 'rollingUpdate', {});
    const ru = getObject(strategy, 'rollingUpdate');
    if (ru) {
      setDefault(ru, 'maxSurge', '25%');
      setDefault(ru, 'maxUnavailable', '25%');
    }
  }
  const template = getObject(spec, 'template');
  const podSpec = template ? getObject(template, 'spec') : undefined;
  if (!template || !podSpec) return spec;
  setDefault(template, 'metadata', {});
  setDefault(podSpec, 'restartPolicy', 'Always');
  setDefault(podSpec, 'terminationGracePeriodSeconds', 30);
  setDefault(podSpec, 'dnsPolicy', 'ClusterFirst');
  setDefault(podSpec, 'securityContext', {});
  setDefault(podSpec, 'schedulerName', 'default-scheduler');
  for (const key of ['containers', 'initContainers']) {
    for (const c of getArray(podSpec, key) ?? []) if (isObject(c)) defaultContainer(c);
  }
  return spec;
}

function defaultContainer(c: JsonObject): void {
  const image = getString(c, 'image') ?? '';
  const lastPart = image.split('/').pop() ?? '';
  const tagged = image.includes('@') || (lastPart.includes(':') && !lastPart.endsWith(':latest'));
  setDefault(c, 'imagePullPolicy', tagged ? 'IfNotPresent' : 'Always');
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  for (const p of getArray(c, 'ports') ?? []) if (isObject(p)) setDefault(p, 'protocol', 'TCP');
}

/** Field errors of a patched spec (empty when valid), phrased like the API server's. */
export function validateSpec(spec: JsonObject, previous: JsonObject): string[] {
  const errors: string[] = [];
  const replicas = spec['replicas'];
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    errors.push('spec.replicas: Invalid value: must be a non-negative integer');
  }
  const pds = spec['progressDeadlineSeconds'];
  if (typeof pds !== 'number' || !Number.isInteger(pds) || pds <= 0) {
    errors.push('spec.progressDeadlineSeconds: Invalid value: must be a positive integer');
  }
  if (!deepEqual(spec['selector'], previous['selector'])) {
    errors.push('spec.selector: Invalid value: field is immutable');
  }
  const template = getObject(spec, 'template');
  const podSpec = template ? getObject(template, 'spec') : undefined;
  const containers = podSpec ? getArray(podSpec, 'containers') : undefined;
  if (!containers || containers.length === 0) {
    errors.push('spec.template.spec.containers: Required value');
  } else {
    const names = new Set<string>();
    containers.forEach((c, i) => {
      const name = isObject(c) ? getString(c, 'name') : undefined;
      const image = isObject(c) ? getString(c, 'image') : undefined;
      if (!name) errors.push(`spec.template.spec.containers[${i}].name: Required value`);
      else if (names.has(name)) errors.push(`spec.template.spec.containers[${i}].name: Duplicate value: "${name}"`);
      else names.add(name);
      if (!image) errors.push(`spec.template.spec.containers[${i}].image: Required value`);
    });
  }
  const selector = getObject(spec, 'selector');
  const matchLabels = stringMap(selector ? selector['matchLabels'] : undefined);
  const labels = templateLabels(spec);
  for (const [k, v] of Object.entries(matchLabels)) {
    if (labels[k] !== v) {
      errors.push('spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`');
      break;
    }
  }
  return errors;
}

export function templateLabels(spec: JsonObject): Record<string, string> {
  const template = getObject(spec, 'template');
  const metadata = template ? getObject(template, 'metadata') : undefined;
  return stringMap(metadata ? metadata['labels'] : undefined);
}

/** `{ containerName: image }` of the pod template's containers. */
export function imagesOf(spec: JsonObject): Record<string, string> {
  const template = getObject(spec, 'template');
  const podSpec = template ? getObject(template, 'spec') : undefined;
  const out: Record<string, string> = {};
  for (const c of (podSpec ? getArray(podSpec, 'containers') : undefined) ?? []) {
    if (!isObject(c)) continue;
    const name = getString(c, 'name');
    const image = getString(c, 'image');
    if (name && image) out[name] = image;
  }
  return out;
}

export function desiredReplicas(spec: JsonObject): number {
  return getNumber(spec, 'replicas') ?? 1;
}

export function progressDeadline(spec: JsonObject): number {
  return getNumber(spec, 'progressDeadlineSeconds') ?? 600;
}

/** `<name>-<hash>` like the ReplicaSets a Deployment controller creates for a template. */
export function replicaSetName(name: string, template: Json | undefined): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(template ?? null))
    .digest('hex')
    .slice(0, 10);
  return `${name}-${hash}`;
}

export function newUid(): string {
  return randomUUID();
}

export function renderDeployment(d: StoredDeployment, status: DeploymentStatus, withKind = true): JsonObject {
  const metadata: JsonObject = {
    name: d.name,
    namespace: d.namespace,
    uid: d.uid,
    resourceVersion: String(d.resourceVersion),
    generation: d.generation,
    creationTimestamp: k8sTime(d.creationTimestamp),
    labels: { ...d.labels },
    annotations: { ...d.annotations },
  };
  const body: JsonObject = withKind ? { kind: 'Deployment', apiVersion: 'apps/v1' } : {};
  body['metadata'] = metadata;
  body['spec'] = structuredClone(d.spec);
  body['status'] = renderStatus(status);
  return body;
}
