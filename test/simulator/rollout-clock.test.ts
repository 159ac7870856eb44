/** Exact rollout progression with a manual clock (still over HTTP through client-node). */
import type * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { appsApi, condition, rolloutComplete, strategic } from './helpers.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');

describe('rollout progression (manual clock)', () => {
  let now = T0;
  let sim: RunningSimulator;
  let api: k8s.AppsV1Api;
  const read = (): Promise<k8s.V1Deployment> => api.readNamespacedDeployment({ name: 'checkout', namespace: 'shop' });
  const patchImage = (image: string): Promise<k8s.V1Deployment> =>
    api.patchNamespacedDeployment(
      { name: 'checkout', namespace: 'shop', body: { spec: { template: { spec: { containers: [{ name: 'checkout', image }] } } } } },
      strategic(),
    );
  const counters = (d: k8s.V1Deployment): number[] => [
    d.status?.observedGeneration ?? 0,
    d.status?.replicas ?? 0,
    d.status?.updatedReplicas ?? 0,
    d.status?.readyReplicas ?? 0,
    d.status?.availableReplicas ?? 0,
    d.status?.unavailableReplicas ?? 0,
  ];

  beforeAll(async () => {
    sim = await startSimulator({ regions: ['ap-south'], stepMs: 100, progressDeadlineSeconds: 5, now: () => now });
    api = appsApi(sim.regionUrl('ap-south'));
  });
  beforeEach(() => {
    now = T0;
    sim.reset();
  });
  afterAll(() => sim.close());

  it('observes after 50ms, then one replica per step with a surge of one', async () => {
    const seeded = await read();
    const since = condition(seeded, 'Progressing')?.lastTransitionTime?.getTime();
    const p = await patchImage('registry.example.com/shop/checkout:2.0.0');
    expect(p.metadata?.generation).toBe(2);
    //                [observedGen, replicas, updated, ready, available, unavailable]
    now = T0 + 49;
    expect(counters(await read())).toEqual([1, 3, 3, 3, 3, 0]);
    now = T0 + 50;
    const first = await read();
    expect(counters(first)).toEqual([2, 4, 1, 3, 3, 0]);
    expect(condition(first, 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
    expect(condition(first, 'Progressing')?.lastTransitionTime?.getTime()).toBe(since);
    now = T0 + 150;
    expect(counters(await read())).toEqual([2, 4, 2, 3, 3, 0]);
    now = T0 + 250;
    expect(counters(await read())).toEqual([2, 4, 3, 3, 3, 0]);
    expect(rolloutComplete(await read())).toBe(false);
    now = T0 + 350;
    const done = await read();
    expect(counters(done)).toEqual([2, 3, 3, 3, 3, 0]);
    expect(rolloutComplete(done)).toBe(true);
    expect(condition(done, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(condition(done, 'Available')?.status).toBe('True');
    expect(sim.deployment('ap-south', 'shop', 'checkout')).toMatchObject({
      complete: true,
      revision: 2,
      currentReadyPods: 3,
      previousReadyPods: 0,
    });
  });

  it('a new template mid-rollout restarts from the ready pods', async () => {
    await patchImage('registry.example.com/shop/checkout:2.0.0');
    now = T0 + 160; // 1 new pod ready
    await patchImage('registry.example.com/shop/checkout:3.0.0');
    now = T0 + 210;
    const d = await read();
    expect(d.metadata?.generation).toBe(3);
    expect(counters(d)).toEqual([3, 4, 1, 3, 3, 0]);
    now = T0 + 210 + 300;
    expect(rolloutComplete(await read())).toBe(true);
  });

  it('a bad image stalls with one unready pod until the progress deadline', async () => {
    sim.markBadImage('registry.example.com/shop/checkout:6.6.6');
    await patchImage('registry.example.com/shop/checkout:6.6.6');
    now = T0 + 50 + 4999;
    const stalled = await read();
    expect(counters(stalled)).toEqual([2, 4, 1, 3, 3, 0]);
    expect(condition(stalled, 'Progressing')?.reason).toBe('ReplicaSetUpdated');
    now = T0 + 50 + 5000;
    const failed = await read();
    expect(counters(failed)).toEqual([2, 4, 1, 3, 3, 0]);
    expect(condition(failed, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(condition(failed, 'Progressing')?.lastTransitionTime?.toISOString()).toBe('2030-01-01T00:00:05.000Z');
    expect(sim.deployment('ap-south', 'shop', 'checkout')).toMatchObject({ badRollout: true, complete: false });

    now = T0 + 10_000;
    await patchImage('registry.example.com/shop/checkout:1.0.0');
    now += 50;
    const rolling = await read();
    expect(condition(rolling, 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
    expect(condition(rolling, 'Progressing')?.lastTransitionTime?.toISOString()).toBe('2030-01-01T00:00:10.000Z');
    now += 300;
    const done = await read();
    expect(rolloutComplete(done)).toBe(true);
    expect(condition(done, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('scaling changes generation without a new revision; new pods get ready one per step', async () => {
    const scaled = await api.patchNamespacedDeployment(
      { name: 'checkout', namespace: 'shop', body: { spec: { replicas: 5 } } },
      strategic(),
    );
    expect(scaled.metadata?.generation).toBe(2);
    expect(scaled.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    now = T0 + 50;
    const up = await read();
    expect(counters(up)).toEqual([2, 4, 4, 3, 3, 2]);
    expect(condition(up, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    now = T0 + 250;
    const done = await read();
    expect(counters(done)).toEqual([2, 5, 5, 5, 5, 0]);
    expect(rolloutComplete(done)).toBe(true);
    expect(condition(done, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(condition(done, 'Available')?.lastTransitionTime?.toISOString()).toBe('2030-01-01T00:00:00.000Z');

    now = T0 + 1000;
    await api.patchNamespacedDeployment({ name: 'checkout', namespace: 'shop', body: { spec: { replicas: 2 } } }, strategic());
    now = T0 + 1050;
    const down = await read();
    expect(counters(down)).toEqual([3, 2, 2, 2, 2, 0]);
    expect(rolloutComplete(down)).toBe(true);
  });

  it('a scale right after a template change does not skip that rollout', async () => {
    await patchImage('registry.example.com/shop/checkout:2.0.0');
    now = T0 + 10;
    await api.patchNamespacedDeployment({ name: 'checkout', namespace: 'shop', body: { spec: { replicas: 4 } } }, strategic());
    now = T0 + 50;
    const d = await read();
    expect(d.metadata?.generation).toBe(3);
    expect(counters(d)).toEqual([3, 4, 1, 3, 3, 1]);
    now = T0 + 50 + 400;
    expect(counters(await read())).toEqual([3, 4, 4, 4, 4, 0]);
  });
});

describe('stepMs 0', () => {
  it('completes a rollout as soon as it is observed', async () => {
    const sim = await startSimulator({ regions: ['eu-central'], stepMs: 0 });
    try {
      const api = appsApi(sim.regionUrl('eu-central'));
      const p = await api.patchNamespacedDeployment(
        {
          name: 'checkout',
          namespace: 'shop',
          body: { spec: { template: { spec: { containers: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:9.0.0' }] } } } },
        },
        strategic(),
      );
      expect(p.metadata?.generation).toBe(2);
      expect(rolloutComplete(p)).toBe(true);
      expect(p.status?.observedGeneration).toBe(2);
    } finally {
      await sim.close();
    }
  });
});
