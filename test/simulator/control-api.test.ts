/** The `/sim` control API over plain HTTP, and a kubeconfig built from it. */
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { appsApi, expectApiError, pollUntil, rolloutComplete, strategic } from './helpers.js';

describe('simulator control API', () => {
  let sim: RunningSimulator;

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    const res = await fetch(`${sim.url}${path}`, init);
    return { status: res.status, json: await res.json() };
  };
  const patchImage = (region: string, image: string): Promise<k8s.V1Deployment> =>
    appsApi(sim.regionUrl(region), 'secret').patchNamespacedDeployment(
      { name: 'checkout', namespace: 'shop', body: { spec: { template: { spec: { containers: [{ name: 'checkout', image }] } } } } },
      strategic(),
    );

  beforeAll(async () => {
    sim = await startSimulator({ regions: ['us-west', 'eu-west'], stepMs: 20, progressDeadlineSeconds: 1, token: 'secret' });
  });
  afterEach(async () => {
    expect((await call('POST', '/sim/reset')).status).toBe(200);
  });
  afterAll(() => sim.close());

  it('reports the state of every region and deployment', async () => {
    const { status, json } = await call('GET', '/sim/state');
    expect(status).toBe(200);
    expect(json).toMatchObject({
      regions: {
        'us-west': {
          deployments: [
            {
              namespace: 'shop',
              name: 'checkout',
              images: { checkout: 'registry.example.com/shop/checkout:1.0.0' },
              generation: 1,
              observedGeneration: 1,
              replicas: 3,
              readyReplicas: 3,
              complete: true,
              progressing: { status: 'True', reason: 'NewReplicaSetAvailable' },
              templateLabels: { app: 'checkout' },
            },
          ],
        },
        'eu-west': { deployments: [{ name: 'checkout', complete: true }] },
      },
    });
    expect(sim.state()).toMatchObject({ regions: { 'us-west': { deployments: [{ name: 'checkout' }] } } });
  });

  it('seeds deployments with PUT and serves them on the kube API', async () => {
    const put = await call('PUT', '/sim/regions/eu-west/deployments/payments/ledger', {
      container: 'ledger',
      image: 'registry.example.com/payments/ledger:4.2.0',
      replicas: 2,
      labels: { tier: 'backend' },
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ name: 'ledger', replicas: 2, complete: true, labels: { app: 'ledger', tier: 'backend' } });
    const d = await appsApi(sim.regionUrl('eu-west'), 'secret').readNamespacedDeployment({ name: 'ledger', namespace: 'payments' });
    expect(d.spec?.template.spec?.containers[0]?.image).toBe('registry.example.com/payments/ledger:4.2.0');
    expect(d.status?.readyReplicas).toBe(2);
    expect((await call('GET', '/sim/regions/eu-west/deployments/payments/ledger')).json).toMatchObject({ name: 'ledger' });
    expect((await call('GET', '/sim/regions/us-west/deployments/payments/ledger')).status).toBe(404);
    expect((await call('PUT', '/sim/regions/mars/deployments/a/b', { container: 'c', image: 'i:1' })).status).toBe(404);
    expect((await call('PUT', '/sim/regions/eu-west/deployments/a/b', { image: 'i:1' })).json).toEqual({
      error: '"container" is required',
    });
  });

  it('marks images bad per region over HTTP, and clears them', async () => {
    const bad = 'registry.example.com/shop/checkout:0.0.1';
    expect((await call('POST', '/sim/bad-images', { image: bad, regions: ['us-west'] })).json).toEqual({
      items: [{ image: bad, regions: ['us-west'] }],
    });
    await patchImage('us-west', bad);
    await patchImage('eu-west', bad);
    await pollUntil(
      () => call('GET', '/sim/state'),
      () => sim.deployment('eu-west', 'shop', 'checkout')?.complete === true,
      3000,
    );
    const stuck = sim.deployment('us-west', 'shop', 'checkout');
    expect(stuck).toMatchObject({ badRollout: true, complete: false, updatedReplicas: 1, readyReplicas: 3 });
    expect((await call('DELETE', '/sim/bad-images')).json).toEqual({ items: [] });
    expect((await call('GET', '/sim/bad-images')).json).toEqual({ items: [] });
    expect((await call('POST', '/sim/bad-images', {})).status).toBe(400);
  });

  it('injects HTTP faults over HTTP', async () => {
    const created = await call('POST', '/sim/http-faults', { region: 'us-west', method: 'get', status: 503, count: 1 });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ region: 'us-west', method: 'GET', status: 503, remaining: 1 });
    expect((await call('GET', '/sim/http-faults')).json).toMatchObject({ items: [{ status: 503 }] });
    const api = appsApi(sim.regionUrl('us-west'), 'secret');
    const err = await expectApiError(api.readNamespacedDeployment({ name: 'checkout', namespace: 'shop' }));
    expect(err).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect((await api.readNamespacedDeployment({ name: 'checkout', namespace: 'shop' })).metadata?.name).toBe('checkout');
    await call('POST', '/sim/http-faults', { status: 500, count: 5 });
    expect((await call('DELETE', '/sim/http-faults')).status).toBe(200);
    expect((await api.readNamespacedDeployment({ name: 'checkout', namespace: 'shop' })).metadata?.name).toBe('checkout');
    expect((await call('POST', '/sim/http-faults', { region: 'us-west' })).status).toBe(400);
    expect((await call('POST', '/sim/http-faults', { status: 'x' })).status).toBe(400);
  });

  it('reset restores the seeded state and clears the log', async () => {
    await patchImage('us-west', 'registry.example.com/shop/checkout:7.0.0');
    expect((await call('GET', '/sim/patches')).json).toMatchObject({ items: [{ seq: 1, region: 'us-west', changedSpec: true }] });
    await call('POST', '/sim/reset');
    expect((await call('GET', '/sim/patches')).json).toEqual({ items: [] });
    expect(sim.deployment('us-west', 'shop', 'checkout')).toMatchObject({
      generation: 1,
      images: { checkout: 'registry.example.com/shop/checkout:1.0.0' },
    });
  });

  it('serves a kubeconfig with one context per region (and the edge cluster) that client-node can load', async () => {
    const { json } = await call('GET', '/sim/kubeconfig');
    const kc = new k8s.KubeConfig();
    kc.loadFromString(JSON.stringify(json));
    expect(kc.getContexts().map((c) => c.name)).toEqual(['us-west', 'eu-west', 'edge']);
    kc.setCurrentContext('eu-west');
    expect(kc.getCurrentCluster()).toMatchObject({ server: sim.regionUrl('eu-west'), skipTLSVerify: true });
    await patchImage('eu-west', 'registry.example.com/shop/checkout:1.5.0');
    const d = await pollUntil(
      () => kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name: 'checkout', namespace: 'shop' }),
      rolloutComplete,
      3000,
    );
    expect(d.last.spec?.template.spec?.containers[0]?.image).toBe('registry.example.com/shop/checkout:1.5.0');
  });

  it('answers unknown endpoints with 404 and keeps /healthz open', async () => {
    expect((await call('GET', '/sim/nope')).status).toBe(404);
    expect((await call('GET', '/nope')).status).toBe(404);
    expect((await call('GET', '/healthz')).json).toEqual({ ok: true, regions: ['us-west', 'eu-west'] });
    const unknownPath = await fetch(`${sim.regionUrl('us-west')}/api/v1/pods`, { headers: { Authorization: 'Bearer secret' } });
    expect(unknownPath.status).toBe(404);
    const stop = new AbortController();
    const watch = await fetch(`${sim.regionUrl('us-west')}/apis/apps/v1/deployments?watch=true`, {
      headers: { Authorization: 'Bearer secret' },
      signal: stop.signal,
    });
    expect(watch.status).toBe(200); // a watch stream, see watch.test.ts
    stop.abort();
  });
});
