/**
 * The region simulator driven through the real @kubernetes/client-node, the way Tideline
 * talks to a cluster (reads, lists, errors, auth): a kubeconfig whose server is `${url}/regions/${region}`.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../apps/simulator/src/server.js';
import {
  appsApi,
  condition,
  expectApiError,
  rolloutComplete,
  strategic,
  NAME,
  NS,
  releasePatch,
  startTwoRegionSimulator,
  V1,
} from './helpers.js';

describe('region simulator through @kubernetes/client-node (API surface)', () => {
  let sim: RunningSimulator;
  let euWest: k8s.AppsV1Api;
  let usEast: k8s.AppsV1Api;

  beforeAll(async () => {
    sim = await startTwoRegionSimulator();
    euWest = appsApi(sim.regionUrl('eu-west'));
    usEast = appsApi(sim.regionUrl('us-east'));
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it('keeps the /regions/{region} path prefix of the cluster server', async () => {
    expect(sim.regionUrl('eu-west')).toBe(`${sim.url}/regions/eu-west`);
    const d = await euWest.readNamespacedDeployment({ name: NAME, namespace: NS });
    expect(d.metadata?.name).toBe(NAME);
    await euWest.patchNamespacedDeployment({ name: NAME, namespace: NS, body: releasePatch(`${V1}-x`, '1.0.1', 'r1') }, strategic());
    expect(sim.patchLog().map((e) => e.region)).toEqual(['eu-west']);
    // the other region is a separate cluster
    const other = await usEast.readNamespacedDeployment({ name: NAME, namespace: NS });
    expect(other.spec?.template.spec?.containers[0]?.image).toBe(V1);
    expect(other.metadata?.generation).toBe(1);
  });

  it('serves a complete apps/v1 Deployment', async () => {
    const d = await euWest.readNamespacedDeployment({ name: NAME, namespace: NS });
    expect(d.kind).toBe('Deployment');
    expect(d.apiVersion).toBe('apps/v1');
    expect(d.metadata?.namespace).toBe(NS);
    expect(d.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.metadata?.generation).toBe(1);
    expect(Number(d.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(d.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(d.metadata?.labels).toEqual({ app: NAME });
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.spec?.replicas).toBe(3);
    expect(d.spec?.selector.matchLabels).toEqual({ app: NAME });
    expect(d.spec?.progressDeadlineSeconds).toBe(1);
    expect(d.spec?.strategy?.type).toBe('RollingUpdate');
    expect(d.spec?.template.metadata?.labels).toEqual({ app: NAME });
    expect(d.spec?.template.spec?.containers).toHaveLength(1);
    expect(d.spec?.template.spec?.containers[0]).toMatchObject({ name: 'checkout', image: V1, imagePullPolicy: 'IfNotPresent' });
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status?.unavailableReplicas).toBeUndefined();
    expect(rolloutComplete(d)).toBe(true);
    expect(condition(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    const progressing = condition(d, 'Progressing');
    expect(progressing).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(progressing?.message).toMatch(/^ReplicaSet "checkout-[0-9a-f]{10}" has successfully progressed\.$/);
    expect(progressing?.lastUpdateTime).toBeInstanceOf(Date);
    expect(progressing?.lastTransitionTime).toBeInstanceOf(Date);
  });

  it('lists deployments per namespace and across namespaces, with label selectors', async () => {
    const shop = await euWest.listNamespacedDeployment({ namespace: NS });
    expect(shop.kind).toBe('DeploymentList');
    expect(shop.items.map((d) => d.metadata?.name)).toEqual(['cart', 'checkout']);
    const all = await euWest.listDeploymentForAllNamespaces({});
    expect(all.items.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`)).toEqual(['payments/ledger', 'shop/cart', 'shop/checkout']);
    const selected = await euWest.listNamespacedDeployment({ namespace: NS, labelSelector: 'app=checkout' });
    expect(selected.items.map((d) => d.metadata?.name)).toEqual(['checkout']);
    await euWest.patchNamespacedDeployment({ name: NAME, namespace: NS, body: releasePatch(V1, '1.0.0', 'r7') }, strategic());
    const byRelease = await euWest.listDeploymentForAllNamespaces({
      labelSelector: 'app=checkout,tideline.io/release=r7',
    });
    expect(byRelease.items.map((d) => d.metadata?.name)).toEqual(['checkout']);
    const none = await euWest.listNamespacedDeployment({ namespace: NS, labelSelector: 'tideline.io/release=r8' });
    expect(none.items).toEqual([]);
    const empty = await euWest.listNamespacedDeployment({ namespace: 'nowhere' });
    expect(empty.items).toEqual([]);
  });

  it('answers errors as Kubernetes Status objects inside ApiException', async () => {
    const missing = await expectApiError(euWest.readNamespacedDeployment({ name: 'nope', namespace: NS }));
    expect(missing).toMatchObject({ code: 404, kind: 'Status', reason: 'NotFound', message: 'deployments.apps "nope" not found' });
    const patchMissing = await expectApiError(
      euWest.patchNamespacedDeployment({ name: 'nope', namespace: NS, body: { metadata: { labels: { a: 'b' } } } }, strategic()),
    );
    expect(patchMissing.code).toBe(404);
    const noRegion = await expectApiError(appsApi(sim.regionUrl('mars')).readNamespacedDeployment({ name: NAME, namespace: NS }));
    expect(noRegion).toMatchObject({ code: 404, reason: 'NotFound' });

    const unsupported = await expectApiError(
      euWest.patchNamespacedDeployment(
        { name: NAME, namespace: NS, body: { spec: { replicas: 5 } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
      ),
    );
    expect(unsupported).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });

    const invalid = await expectApiError(
      euWest.patchNamespacedDeployment(
        { name: NAME, namespace: NS, body: { spec: { template: { metadata: { labels: { app: 'other' } } } } } },
        strategic(),
      ),
    );
    expect(invalid).toMatchObject({ code: 422, reason: 'Invalid' });

    const current = await euWest.readNamespacedDeployment({ name: NAME, namespace: NS });
    await euWest.patchNamespacedDeployment({ name: NAME, namespace: NS, body: { metadata: { labels: { x: '1' } } } }, strategic());
    const conflict = await expectApiError(
      euWest.patchNamespacedDeployment(
        { name: NAME, namespace: NS, body: { metadata: { resourceVersion: current.metadata?.resourceVersion, labels: { x: '2' } } } },
        strategic(),
      ),
    );
    expect(conflict).toMatchObject({ code: 409, reason: 'Conflict' });

    const rejected = sim.patchLog().filter((e) => e.rejected !== undefined);
    expect(rejected.map((e) => e.rejected)).toEqual([404, 415, 422, 409]);
    expect(sim.deployment('eu-west', NS, NAME)?.generation).toBe(1);
  });

  it('enforces the bearer token', async () => {
    const wrong = await expectApiError(appsApi(sim.regionUrl('eu-west'), 'wrong').readNamespacedDeployment({ name: NAME, namespace: NS }));
    expect(wrong.code).toBe(401);
    const res = await fetch(`${sim.regionUrl('eu-west')}/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const denied = await expectApiError(
      appsApi(sim.regionUrl('eu-west'), 'wrong').patchNamespacedDeployment(
        { name: NAME, namespace: NS, body: { metadata: { labels: { a: 'b' } } } },
        strategic(),
      ),
    );
    expect(denied.code).toBe(401);
    expect(sim.patchLog().map((e) => e.rejected)).toEqual([401]);
    expect(sim.deployment('eu-west', NS, NAME)?.labels).toEqual({ app: NAME });
  });
});
