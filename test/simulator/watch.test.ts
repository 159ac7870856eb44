/**
 * Watches on the simulator through @kubernetes/client-node's Watch (the informer's transport):
 * events for a rollout in progress, initial events with the end bookmark, selectors, timeouts.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../apps/simulator/src/server.js';
import { appsApi, kubeConfigFor, NAME, NS, pollUntil, releasePatch, startTwoRegionSimulator, strategic } from './helpers.js';

interface Seen {
  type: string;
  obj: k8s.V1Deployment;
}

describe('watch on the region simulator', () => {
  let sim: RunningSimulator;
  const stops: AbortController[] = [];

  const watch = async (
    path: string,
    query: Record<string, string | number | boolean>,
  ): Promise<{ seen: Seen[]; ended: Promise<unknown> }> => {
    const seen: Seen[] = [];
    let end: (err: unknown) => void = () => undefined;
    const ended = new Promise((resolve) => (end = resolve));
    const w = new k8s.Watch(kubeConfigFor(sim.regionUrl('eu-west')));
    const stop = await w.watch(
      path,
      query,
      (type, obj: k8s.V1Deployment) => seen.push({ type, obj }),
      (err) => end(err ?? 'done'),
    );
    stops.push(stop);
    return { seen, ended };
  };

  beforeAll(async () => {
    sim = await startTwoRegionSimulator();
  });
  afterEach(() => {
    for (const s of stops.splice(0)) s.abort();
    sim.reset();
  });
  afterAll(() => sim.close());

  it('streams a rollout from the list resourceVersion to its completion', async () => {
    const api = appsApi(sim.regionUrl('eu-west'));
    const list = await api.listNamespacedDeployment({ namespace: NS });
    const { seen } = await watch(`/apis/apps/v1/namespaces/${NS}/deployments`, {
      resourceVersion: list.metadata?.resourceVersion ?? '',
      fieldSelector: `metadata.name=${NAME}`,
    });
    await api.patchNamespacedDeployment(
      { name: NAME, namespace: NS, body: releasePatch('registry.example.com/shop/checkout:3.0.0', '3.0.0', 'r3') },
      strategic(),
    );
    const done = (s: Seen): boolean =>
      s.obj.metadata?.generation === 2 &&
      s.obj.status?.observedGeneration === 2 &&
      s.obj.status?.updatedReplicas === 3 &&
      s.obj.status?.replicas === 3;
    await pollUntil(
      async () => seen,
      (all) => all.some(done),
      10_000,
      50,
    );
    expect(new Set(seen.map((s) => s.type))).toEqual(new Set(['MODIFIED']));
    expect(new Set(seen.map((s) => s.obj.metadata?.name))).toEqual(new Set([NAME]));
    // the updated replicas were reported on the way, never going back
    const updated = seen.filter((s) => s.obj.metadata?.generation === 2).map((s) => s.obj.status?.updatedReplicas ?? 0);
    expect(updated).toEqual([...updated].sort((a, b) => a - b));
    expect(updated.at(-1)).toBe(3);
  });

  it('sends initial events and the end bookmark, filtered by label', async () => {
    const { seen } = await watch('/apis/apps/v1/deployments', {
      sendInitialEvents: true,
      allowWatchBookmarks: true,
      resourceVersionMatch: 'NotOlderThan',
      labelSelector: 'app in (checkout,ledger)',
    });
    await pollUntil(
      async () => seen,
      (all) => all.some((s) => s.type === 'BOOKMARK'),
      5000,
      20,
    );
    const added = seen.filter((s) => s.type === 'ADDED').map((s) => `${s.obj.metadata?.namespace}/${s.obj.metadata?.name}`);
    expect(added.sort()).toEqual(['payments/ledger', 'shop/checkout']);
    const bookmark = seen.find((s) => s.type === 'BOOKMARK');
    expect(bookmark?.obj.metadata?.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    expect(seen.indexOf(bookmark!)).toBe(2); // after every initial event
  });

  it('ends the stream after timeoutSeconds and refuses a bad selector', async () => {
    const { ended } = await watch('/apis/apps/v1/deployments', { timeoutSeconds: 1 });
    await expect(Promise.race([ended, new Promise((r) => setTimeout(() => r('still open'), 15_000))])).resolves.not.toBe('still open');
    const bad = await fetch(`${sim.regionUrl('eu-west')}/apis/apps/v1/deployments?watch=true&labelSelector=%3D%3D`, {
      headers: { Authorization: 'Bearer sim-test-token' },
    });
    expect(bad.status).toBe(400);
  });
});
