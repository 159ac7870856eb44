/**
 * The simulator's edge cluster through @kubernetes/client-node's CustomObjectsApi: HTTPRoute
 * get/list/patch, preconditions, validation, generation, the gateway's delayed verdict and its
 * acceptance switch, and the load balancer following the accepted weights.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { expectApiError, kubeConfigFor, pollUntil, TOKEN } from './helpers.js';

const G = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', namespace: 'edge' };
const json = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);
const merge = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

interface Route {
  metadata: { generation: number; resourceVersion: string; labels?: Record<string, string> };
  spec: { rules: { backendRefs: { name: string; weight?: number }[] }[] };
  status: {
    parents: { controllerName: string; conditions: { type: string; status: string; reason: string; observedGeneration: number }[] }[];
  };
}

describe('simulator edge cluster: HTTPRoutes', () => {
  let sim: RunningSimulator;
  let api: k8s.CustomObjectsApi;

  const read = async (): Promise<Route> => (await api.getNamespacedCustomObject({ ...G, name: 'global' })) as Route;
  const patch = async (body: unknown, opts = json()): Promise<Route> =>
    (await api.patchNamespacedCustomObject({ ...G, name: 'global', body }, opts)) as Route;
  const verdict = (r: Route) => r.status.parents[0]?.conditions.map((c) => `${c.type}=${c.status}@${c.observedGeneration}`);

  beforeAll(async () => {
    sim = await startSimulator({ regions: ['eu-west', 'us-east'], token: TOKEN, lbRampMs: 0, routeAcceptMs: 300 });
    api = kubeConfigFor(sim.edgeUrl).makeApiClient(k8s.CustomObjectsApi);
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it('serves the seeded route with one backendRef per region and an accepted status', async () => {
    const r = await read();
    expect(r.metadata.generation).toBe(1);
    expect(r.spec.rules[0]?.backendRefs.map((b) => [b.name, b.weight])).toEqual([
      ['eu-west', undefined],
      ['us-east', undefined],
    ]);
    expect(r.status.parents[0]?.controllerName).toBe('tideline.dev/simulator-gateway');
    expect(verdict(r)).toEqual(['Accepted=True@1', 'ResolvedRefs=True@1']);
    const list = (await api.listNamespacedCustomObject({ ...G })) as { kind: string; items: unknown[] };
    expect(list.kind).toBe('HTTPRouteList');
    expect(list.items).toHaveLength(1);
  });

  it('bumps generation on a spec change, reports on it after a delay, and the load balancer follows', async () => {
    const patched = await patch([{ op: 'add', path: '/spec/rules/0/backendRefs/0/weight', value: 0 }]);
    expect(patched.metadata.generation).toBe(2);
    expect(verdict(patched)).toEqual(['Accepted=True@1', 'ResolvedRefs=True@1']); // not yet observed
    expect(sim.weights()).toEqual({ 'eu-west': 0, 'us-east': 100 });
    const { last } = await pollUntil(read, (r) => verdict(r)?.[0] === 'Accepted=True@2', 5000, 20);
    expect(verdict(last)).toEqual(['Accepted=True@2', 'ResolvedRefs=True@2']);

    const labelled = await patch({ metadata: { labels: { team: 'edge' } } }, merge());
    expect(labelled.metadata.generation).toBe(2); // metadata only
    expect(Number(labelled.metadata.resourceVersion)).toBeGreaterThan(Number(patched.metadata.resourceVersion));
    const same = await patch({ metadata: { labels: { team: 'edge' } } }, merge());
    expect(same.metadata.resourceVersion).toBe(labelled.metadata.resourceVersion); // no-op
  });

  it('refuses stale resourceVersions, failed tests, invalid weights and strategic merge patches', async () => {
    const current = await read();
    await patch({ metadata: { annotations: { a: 'b' } } }, merge());
    expect(
      await expectApiError(
        patch({ metadata: { resourceVersion: current.metadata.resourceVersion }, spec: { hostnames: ['x.example.com'] } }, merge()),
      ),
    ).toMatchObject({
      code: 409,
      reason: 'Conflict',
    });
    const failedTest = await expectApiError(
      patch([
        { op: 'test', path: '/metadata/resourceVersion', value: current.metadata.resourceVersion },
        { op: 'add', path: '/spec/rules/0/backendRefs/0/weight', value: 0 },
      ]),
    );
    expect(failedTest).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(failedTest.message).toContain('test operation failed at "/metadata/resourceVersion"');
    const invalid = await expectApiError(patch([{ op: 'add', path: '/spec/rules/0/backendRefs/1/weight', value: -2 }]));
    expect(invalid.code).toBe(422);
    expect(invalid.message).toContain('spec.rules[0].backendRefs[1].weight: Invalid value: -2');
    const strategic = await expectApiError(
      patch({ spec: {} }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)),
    );
    expect(strategic.code).toBe(415);
    expect((await read()).metadata.generation).toBe(1); // nothing applied
  });

  it('reports a refusal after the acceptance switch; the load balancer does not follow a refused route', async () => {
    const put = await fetch(`${sim.url}/sim/gateway`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accepted: false, reason: 'NotAllowedByListeners', message: 'hostname not allowed' }),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({
      accepted: false,
      resolvedRefs: true,
      reason: 'NotAllowedByListeners',
      message: 'hostname not allowed',
    });
    await patch([{ op: 'add', path: '/spec/rules/0/backendRefs/1/weight', value: 0 }]);
    const { last } = await pollUntil(read, (r) => r.status.parents[0]?.conditions[0]?.observedGeneration === 2, 5000, 20);
    expect(last.status.parents[0]?.conditions[0]).toMatchObject({
      type: 'Accepted',
      status: 'False',
      reason: 'NotAllowedByListeners',
      observedGeneration: 2,
    });
    expect(sim.weights()['us-east']).toBe(100);
    const bad = await fetch(`${sim.url}/sim/gateway`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accepted: 'no' }),
    });
    expect(bad.status).toBe(400);
  });

  it('keeps routes in the edge cluster and deployments in the regions; the token is required', async () => {
    const regionRoutes = kubeConfigFor(sim.regionUrl('eu-west')).makeApiClient(k8s.CustomObjectsApi);
    expect((await expectApiError(regionRoutes.getNamespacedCustomObject({ ...G, name: 'global' }))).code).toBe(404);
    const edgeApps = kubeConfigFor(sim.edgeUrl).makeApiClient(k8s.AppsV1Api);
    expect((await edgeApps.listDeploymentForAllNamespaces()).items).toEqual([]);
    const anonymous = kubeConfigFor(sim.edgeUrl, 'wrong').makeApiClient(k8s.CustomObjectsApi);
    expect((await expectApiError(anonymous.getNamespacedCustomObject({ ...G, name: 'global' }))).code).toBe(401);
  });
});
