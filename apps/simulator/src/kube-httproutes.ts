/** gateway.networking.k8s.io/v1 HTTPRoutes of the edge cluster: get, list, watch and patch (regions have none). */
import { getArray, getObject, type JsonObject } from './json.js';
import type { KubeRequest } from './kube-api.js';
import { ageColumn, nameColumn, serveList, serveObject, type ListSpec } from './kube-list.js';
import { CONTENT_TYPES, patchTypeOf } from './patch.js';
import { renderRoute } from './httproute.js';
import { sendStatus } from './http-util.js';

export type HttpRouteRoute = { kind: 'httproute'; namespace: string; name: string } | { kind: 'httproutes'; namespace?: string };

function notFound(k: KubeRequest, name: string): void {
  sendStatus(k.res, 404, `httproutes.gateway.networking.k8s.io "${name}" not found`, 'NotFound', {
    name,
    group: 'gateway.networking.k8s.io',
    kind: 'httproutes',
  });
}

export function handleHttpRoutes(k: KubeRequest, r: HttpRouteRoute): void {
  const { state } = k.ctx;
  const edge = k.cluster.kind === 'edge';
  const spec: ListSpec = {
    kind: 'HTTPRoute',
    apiVersion: 'gateway.networking.k8s.io/v1',
    objects: () => (edge ? state.routes.list(r.namespace).map((route) => renderRoute(route, state.now())) : []),
    columns: [
      nameColumn,
      {
        name: 'Hostnames',
        type: 'string',
        description: 'Hostnames of the route',
        priority: 0,
        cell: (obj: JsonObject) => (getArray(getObject(obj, 'spec') ?? {}, 'hostnames') ?? []).map(String).join(','),
      },
      ageColumn,
    ],
  };
  if (r.kind === 'httproutes') return serveList(k, spec);

  const route = edge ? state.routes.get(r.namespace, r.name) : undefined;
  if (k.method === 'GET') return route ? serveObject(k, spec, renderRoute(route, state.now())) : notFound(k, r.name);
  if (k.method !== 'PATCH') return sendStatus(k.res, 405, 'the server does not allow this method on the requested resource');
  const type = patchTypeOf(k.contentType);
  if (!type)
    return sendStatus(
      k.res,
      415,
      `the body of the request was in an unknown format - accepted media types include: ${Object.values(CONTENT_TYPES).join(', ')}`,
    );
  if (k.bodyError !== undefined) return sendStatus(k.res, 400, `error decoding patch: ${k.bodyError}`);
  if (!route) return notFound(k, r.name);
  const outcome = state.routes.patch(route, type, k.body);
  if (!outcome.ok) return sendStatus(k.res, outcome.code, outcome.message, outcome.reason);
  return serveObject(k, spec, renderRoute(route, state.now()));
}
