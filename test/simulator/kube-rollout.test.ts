/**
 * The region simulator driven through the real @kubernetes/client-node, the way Tideline
 * talks to a cluster (patches, rollouts, faults, patch log): a kubeconfig whose server is `${url}/regions/${region}`.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../apps/simulator/src/server.js';
import {
  appsApi,
  condition,
  expectApiError,
  mergePatch,
  pollUntil,
  rolloutComplete,
  strategic,
  NAME,
  NS,
  releasePatch,
  startTwoRegionSimulator,
  V1,
} from './helpers.js';

describe('region simulator through @kubernetes/client-node (patches and rollouts, real time)', () => {
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

  it('rolls out a strategic-merge patch replica by replica', async () => {
    const before = await euWest.readNamespacedDeployment({ name: NAME, namespace: NS });
    const patched = await euWest.patchNamespacedDeployment(
      { name: NAME, namespace: NS, body: releasePatch('registry.example.com/shop/checkout:1.1.0', '1.1.0', 'r1') },
      strategic(),
    );
    expect(patched.metadata?.generation).toBe(2);
    expect(patched.status?.observedGeneration).toBe(1); // the controller has not seen it yet
    expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(Number(before.metadata?.resourceVersion));
    expect(patched.metadata?.labels).toEqual({ app: NAME, 'app.kubernetes.io/version': '1.1.0', 'tideline.io/release': 'r1' });
    expect(patched.spec?.template.metadata?.labels?.['tideline.io/release']).toBe('r1');
    expect(patched.spec?.template.spec?.containers).toHaveLength(1);
    expect(patched.spec?.template.spec?.containers[0]?.image).toBe('registry.example.com/shop/checkout:1.1.0');
    expect(patched.spec?.template.spec?.containers[0]?.ports?.[0]?.containerPort).toBe(8080); // merged, not replaced
    expect(patched.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');

    const { last, seen } = await pollUntil(() => euWest.readNamespacedDeployment({ name: NAME, namespace: NS }), rolloutComplete, 5000, 5);
    const observed = seen.filter((d) => d.status?.observedGeneration === 2);
    expect(observed.length).toBeGreaterThan(0);
    const updated = observed.map((d) => d.status?.updatedReplicas ?? 0);
    expect(updated).toEqual([...updated].sort((a, b) => a - b)); // never goes back
    expect(new Set(updated)).toEqual(new Set([1, 2, 3]));
    for (const d of observed) {
      expect(d.status?.replicas ?? 0).toBeLessThanOrEqual(4); // maxSurge 1
      expect(d.status?.availableReplicas).toBe(3); // maxUnavailable 0
    }
    const midway = observed.find((d) => !rolloutComplete(d));
    expect(condition(midway ?? last, 'Progressing')?.reason).toBe('ReplicaSetUpdated');
    expect(last.status).toMatchObject({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(condition(last, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(condition(last, 'Available')?.status).toBe('True');
  });

  it('does not bump generation for a patch that leaves the spec unchanged', async () => {
    const body = releasePatch('registry.example.com/shop/checkout:1.2.0', '1.2.0', 'r2');
    const first = await euWest.patchNamespacedDeployment({ name: NAME, namespace: NS, body }, strategic());
    await pollUntil(() => euWest.readNamespacedDeployment({ name: NAME, namespace: NS }), rolloutComplete, 5000);
    const again = await euWest.patchNamespacedDeployment({ name: NAME, namespace: NS, body }, strategic());
    expect(again.metadata?.generation).toBe(first.metadata?.generation);
    expect(again.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    expect(rolloutComplete(again)).toBe(true); // the rollout did not restart

    // merge patch replacing the containers list with the same image: defaulting makes it a no-op
    const merged = await euWest.patchNamespacedDeployment(
      {
        name: NAME,
        namespace: NS,
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'checkout', image: 'registry.example.com/shop/checkout:1.2.0', ports: [{ containerPort: 8080, name: 'http' }] },
                ],
              },
            },
          },
        },
      },
      mergePatch(),
    );
    expect(merged.metadata?.generation).toBe(first.metadata?.generation);

    // metadata-only change: resourceVersion moves, generation does not
    const labelled = await euWest.patchNamespacedDeployment(
      { name: NAME, namespace: NS, body: { metadata: { labels: { team: 'payments' } } } },
      mergePatch(),
    );
    expect(labelled.metadata?.generation).toBe(first.metadata?.generation);
    expect(Number(labelled.metadata?.resourceVersion)).toBeGreaterThan(Number(first.metadata?.resourceVersion));
    expect(labelled.metadata?.labels?.['team']).toBe('payments');
    expect(rolloutComplete(labelled)).toBe(true);

    const log = sim.patchLog({ region: 'eu-west' });
    expect(log.map((e) => e.changedSpec)).toEqual([true, false, false, false]);
    expect(log.map((e) => e.generation)).toEqual([2, 2, 2, 2]);
  });

  it('applies merge patches (arrays replaced, null deletes) and JSON patches', async () => {
    const merged = await euWest.patchNamespacedDeployment(
      {
        name: NAME,
        namespace: NS,
        body: {
          metadata: { labels: { 'tideline.io/release': 'r3' } },
          spec: { template: { metadata: { labels: { 'tideline.io/release': 'r3' } } } },
        },
      },
      mergePatch(),
    );
    expect(merged.metadata?.generation).toBe(2);
    expect(merged.spec?.template.metadata?.labels).toEqual({ app: NAME, 'tideline.io/release': 'r3' });
    const removed = await euWest.patchNamespacedDeployment(
      { name: NAME, namespace: NS, body: { spec: { template: { metadata: { labels: { 'tideline.io/release': null } } } } } },
      mergePatch(),
    );
    expect(removed.spec?.template.metadata?.labels).toEqual({ app: NAME });
    expect(removed.metadata?.generation).toBe(3);

    // without a Content-Type option client-node sends application/json-patch+json
    const jsonPatched = await euWest.patchNamespacedDeployment({
      name: NAME,
      namespace: NS,
      body: [
        { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'checkout' },
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'registry.example.com/shop/checkout:2.0.0' },
        { op: 'add', path: '/metadata/labels/tideline.io~1release-number', value: '42' },
      ],
    });
    expect(jsonPatched.spec?.template.spec?.containers[0]?.image).toBe('registry.example.com/shop/checkout:2.0.0');
    expect(jsonPatched.metadata?.labels?.['tideline.io/release-number']).toBe('42');
    expect(jsonPatched.metadata?.generation).toBe(4);
    expect(sim.patchLog().map((e) => e.contentType)).toEqual([
      'application/merge-patch+json',
      'application/merge-patch+json',
      'application/json-patch+json',
    ]);
  });

  it('reports ProgressDeadlineExceeded for a bad image, then rolls back', async () => {
    const bad = 'registry.example.com/shop/checkout:6.6.6';
    sim.markBadImage(bad, ['eu-west']);
    await euWest.patchNamespacedDeployment({ name: NAME, namespace: NS, body: releasePatch(bad, '6.6.6', 'r9') }, strategic());
    await usEast.patchNamespacedDeployment({ name: NAME, namespace: NS, body: releasePatch(bad, '6.6.6', 'r9') }, strategic());

    const { last: stuck } = await pollUntil(
      () => euWest.readNamespacedDeployment({ name: NAME, namespace: NS }),
      (d) => condition(d, 'Progressing')?.status === 'False',
      5000,
      50,
    );
    expect(condition(stuck, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(condition(stuck, 'Progressing')?.message).toMatch(/has timed out progressing\.$/);
    expect(stuck.status).toMatchObject({ observedGeneration: 2, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, replicas: 4 });
    expect(condition(stuck, 'Available')?.status).toBe('True');
    expect(rolloutComplete(stuck)).toBe(false);

    // the image is only bad in eu-west
    const fine = await usEast.readNamespacedDeployment({ name: NAME, namespace: NS });
    expect(rolloutComplete(fine)).toBe(true);

    // rollback: patch the previous template back
    const rolledBack = await euWest.patchNamespacedDeployment(
      {
        name: NAME,
        namespace: NS,
        body: {
          metadata: { labels: { 'app.kubernetes.io/version': null, 'tideline.io/release': null } },
          spec: {
            template: {
              metadata: { labels: { 'app.kubernetes.io/version': null, 'tideline.io/release': null } },
              spec: { containers: [{ name: 'checkout', image: V1 }] },
            },
          },
        },
      },
      strategic(),
    );
    expect(rolledBack.metadata?.generation).toBe(3);
    const { last: done } = await pollUntil(() => euWest.readNamespacedDeployment({ name: NAME, namespace: NS }), rolloutComplete, 5000);
    expect(done.spec?.template.spec?.containers[0]?.image).toBe(V1);
    expect(condition(done, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(done.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  });

  it('injects HTTP status faults and delays', async () => {
    sim.injectHttpFault({ region: 'eu-west', method: 'PATCH', status: 500, count: 2 });
    const body = releasePatch('registry.example.com/shop/checkout:1.3.0', '1.3.0', 'r4');
    // GETs and other regions are not affected
    await euWest.readNamespacedDeployment({ name: NAME, namespace: NS });
    await usEast.patchNamespacedDeployment({ name: NAME, namespace: NS, body }, strategic());
    for (let i = 0; i < 2; i += 1) {
      const err = await expectApiError(euWest.patchNamespacedDeployment({ name: NAME, namespace: NS, body }, strategic()));
      expect(err).toMatchObject({ code: 500, reason: 'InternalError', kind: 'Status' });
    }
    expect(sim.deployment('eu-west', NS, NAME)?.generation).toBe(1); // not applied
    const ok = await euWest.patchNamespacedDeployment({ name: NAME, namespace: NS, body }, strategic());
    expect(ok.metadata?.generation).toBe(2);
    const log = sim.patchLog({ region: 'eu-west' });
    expect(log.map((e) => [e.fault, e.rejected, e.changedSpec])).toEqual([
      ['status 500', 500, false],
      ['status 500', 500, false],
      [undefined, undefined, true],
    ]);

    sim.injectHttpFault({ region: 'eu-west', method: 'GET', delayMs: 400 });
    const started = Date.now();
    const slow = await euWest.readNamespacedDeployment({ name: NAME, namespace: NS });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(slow.metadata?.name).toBe(NAME);

    // a client-side timeout (AbortSignal set by a middleware) gives up on a delayed request
    sim.injectHttpFault({ region: 'eu-west', delayMs: 1500 });
    const timeout: k8s.ConfigurationOptions = {
      middleware: [
        {
          pre: (ctx) => {
            ctx.setSignal(AbortSignal.timeout(100));
            return new k8s.Observable(Promise.resolve(ctx));
          },
          post: (rsp) => new k8s.Observable(Promise.resolve(rsp)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
    const t0 = Date.now();
    await expect(euWest.readNamespacedDeployment({ name: NAME, namespace: NS }, timeout)).rejects.toThrow(/abort/i);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('records every patch in the log, in order, with the state after it', async () => {
    await euWest.patchNamespacedDeployment(
      { name: NAME, namespace: NS, body: releasePatch('registry.example.com/shop/checkout:1.4.0', '1.4.0', 'r5') },
      strategic(),
    );
    await usEast.patchNamespacedDeployment({ name: 'cart', namespace: NS, body: { spec: { replicas: 5 } } }, mergePatch());
    const log = sim.patchLog();
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      seq: 1,
      region: 'eu-west',
      namespace: NS,
      name: NAME,
      contentType: 'application/strategic-merge-patch+json',
      changedSpec: true,
      generation: 2,
      images: { checkout: 'registry.example.com/shop/checkout:1.4.0' },
      labels: { app: NAME, 'app.kubernetes.io/version': '1.4.0', 'tideline.io/release': 'r5' },
      body: releasePatch('registry.example.com/shop/checkout:1.4.0', '1.4.0', 'r5'),
    });
    expect(Date.parse(log[0]?.at ?? '')).not.toBeNaN();
    expect(log[1]).toMatchObject({ seq: 2, region: 'us-east', name: 'cart', changedSpec: true, generation: 2 });
    const res = await fetch(`${sim.url}/sim/patches?region=us-east&name=cart`);
    const body: unknown = await res.json();
    expect(body).toEqual({ items: [log[1]] });
  });
});
