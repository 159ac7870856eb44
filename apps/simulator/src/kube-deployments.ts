/** apps/v1 Deployments of a region's cluster: get, list, watch and patch (the edge cluster has none). */
import { patchDeployment } from './apply-patch.js';
import { imagesOf } from './deployment.js';
import { getObject, type JsonObject } from './json.js';
import type { KubeRequest } from './kube-api.js';
import { ageColumn, nameColumn, serveList, serveObject, type ListSpec, type TableColumn } from './kube-list.js';
import { CONTENT_TYPES, patchTypeOf } from './patch.js';
import { sendStatus } from './http-util.js';

export type DeploymentRoute = { kind: 'deployment'; namespace: string; name: string } | { kind: 'deployments'; namespace?: string };

function notFound(k: KubeRequest, name: string): void {
  sendStatus(k.res, 404, `deployments.apps "${name}" not found`, 'NotFound', { name, group: 'apps', kind: 'deployments' });
}

const num = (obj: JsonObject, key: string): number => {
  const v = getObject(obj, 'status')?.[key];
  return typeof v === 'number' ? v : 0;
};

const COLUMNS: TableColumn[] = [
  nameColumn,
  {
    name: 'Ready',
    type: 'string',
    description: 'Number of the pod with ready state',
    priority: 0,
    cell: (d) => `${num(d, 'readyReplicas')}/${String(getObject(d, 'spec')?.['replicas'] ?? 0)}`,
  },
  {
    name: 'Up-to-date',
    type: 'integer',
    description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    priority: 0,
    cell: (d) => num(d, 'updatedReplicas'),
  },
  {
    name: 'Available',
    type: 'integer',
    description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    priority: 0,
    cell: (d) => num(d, 'availableReplicas'),
  },
  ageColumn,
  {
    name: 'Containers',
    type: 'string',
    description: 'Names of each container in the template.',
    priority: 1,
    cell: (d) => Object.keys(imagesOf(getObject(d, 'spec') ?? {})).join(','),
  },
  {
    name: 'Images',
    type: 'string',
    description: 'Images referenced by each container in the template.',
    priority: 1,
    cell: (d) => Object.values(imagesOf(getObject(d, 'spec') ?? {})).join(','),
  },
  {
    name: 'Selector',
    type: 'string',
    description: 'Label selector for pods.',
    priority: 1,
    cell: (d) => {
      const labels = getObject(getObject(getObject(d, 'spec') ?? {}, 'selector') ?? {}, 'matchLabels') ?? {};
      return Object.entries(labels)
        .map(([key, v]) => `${key}=${String(v)}`)
        .join(',');
    },
  },
];

export function handleDeployments(k: KubeRequest, r: DeploymentRoute): void {
  const { state } = k.ctx;
  const region = k.cluster.kind === 'region' ? k.cluster.region : undefined;
  const spec: ListSpec = {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    objects: () => (region === undefined ? [] : state.list(region, r.namespace).map((d) => state.render(d))),
    columns: COLUMNS,
  };
  if (r.kind === 'deployments') return serveList(k, spec);

  const d = region === undefined ? undefined : state.get(region, r.namespace, r.name);
  if (k.method === 'GET') return d ? serveObject(k, spec, state.render(d)) : notFound(k, r.name);
  if (k.method !== 'PATCH') return sendStatus(k.res, 405, 'the server does not allow this method on the requested resource');
  const reject = (code: number, message: string): void =>
    k.log({ changedSpec: false, rejected: code, message, ...(k.faultNote ? { fault: k.faultNote } : {}) });
  const type = patchTypeOf(k.contentType);
  if (!type) {
    const message = `the body of the request was in an unknown format - accepted media types include: ${Object.values(CONTENT_TYPES).join(', ')}`;
    reject(415, message);
    return sendStatus(k.res, 415, message);
  }
  if (k.bodyError !== undefined) {
    reject(400, k.bodyError);
    return sendStatus(k.res, 400, `error decoding patch: ${k.bodyError}`);
  }
  if (!d || region === undefined) {
    reject(404, `deployments.apps "${r.name}" not found`);
    return notFound(k, r.name);
  }
  const outcome = patchDeployment(state, region, d, type, k.body);
  if (!outcome.ok) {
    reject(outcome.code, outcome.message);
    return sendStatus(k.res, outcome.code, outcome.message, outcome.reason);
  }
  k.log({ changedSpec: outcome.changedSpec, ...(k.faultNote ? { fault: k.faultNote } : {}) });
  return serveObject(k, spec, state.render(d));
}
