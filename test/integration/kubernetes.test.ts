/**
 * The Kubernetes adapter through the real @kubernetes/client-node against the simulator:
 * both ways of reaching a cluster (server + token from the environment, kubeconfig context),
 * record → deploy → observe → restore, and how failures are classified.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { UnknownRegionError, WorkloadError } from '#application';
import { loadConfig } from '#config';
import { judgeRollout, releaseLabels } from '#domain';
import { KubernetesClusters } from '#integrations';

const TOKEN = 's3cret-cluster-token';
const w = { namespace: 'shop', deployment: 'checkout', container: 'checkout' };
const NEW = 'registry.example.com/shop/checkout:9.9.9';

describe('Kubernetes adapter (client-node → simulator)', () => {
  let sim: RunningSimulator;
  let clusters: KubernetesClusters;

  beforeAll(async () => {
    sim = await startSimulator({ regions: ['by-token', 'by-context'], stepMs: 20, token: TOKEN });
    const dir = mkdtempSync(join(tmpdir(), 'tideline-k8s-'));
    writeFileSync(join(dir, 'kubeconfig.json'), JSON.stringify(sim.kubeconfig()));
    writeFileSync(
      join(dir, 'regions.yaml'),
      JSON.stringify({
        kubeconfig: join(dir, 'kubeconfig.json'),
        regions: [
          { name: 'by-token', kubernetes: { server: sim.regionUrl('by-token'), tokenEnv: 'TEST_CLUSTER_TOKEN', skipTLSVerify: true } },
          { name: 'by-context', kubernetes: { context: 'by-context' } },
        ],
      }),
    );
    const config = loadConfig(dir, { TEST_CLUSTER_TOKEN: TOKEN });
    clusters = new KubernetesClusters(config.regions, { kubeconfigPath: config.kubeconfigPath, timeoutMs: 500 });
  });

  afterAll(async () => {
    await sim?.close();
  });

  for (const region of ['by-token', 'by-context']) {
    it(`records, deploys, observes and restores exactly (${region})`, async () => {
      const client = clusters.forRegion(region);
      const original = sim.readDeployment(region, 'shop', 'checkout') as { metadata: { labels: unknown }; spec: { template: unknown } };
      const recorded = await client.snapshot(w);
      expect(recorded.image).toBe('registry.example.com/shop/checkout:1.0.0');
      expect(recorded.podTemplate).toEqual(original.spec.template);

      const labels = releaseLabels({ id: 'rel-1', version: '9.9.9', releaseNumber: 99 });
      const startedAt = Date.now();
      await client.deploy(w, NEW, labels);
      await client.deploy(w, NEW, labels); // repeating the intent changes nothing
      expect(sim.patchLog({ region }).map((p) => p.changedSpec)).toEqual([true, false]);
      let verdict = judgeRollout(await client.observe(w), NEW, startedAt, 5_000, Date.now());
      while (verdict.kind === 'progressing') {
        await new Promise((r) => setTimeout(r, 20));
        verdict = judgeRollout(await client.observe(w), NEW, startedAt, 5_000, Date.now());
      }
      expect(verdict.kind).toBe('complete');
      const deployed = sim.readDeployment(region, 'shop', 'checkout') as { metadata: { labels: Record<string, string> } };
      expect(deployed.metadata.labels).toMatchObject(labels);

      await client.restore(recorded, Object.keys(labels));
      const restored = sim.readDeployment(region, 'shop', 'checkout') as { metadata: { labels: unknown }; spec: { template: unknown } };
      expect(restored.spec.template).toEqual(original.spec.template);
      expect(restored.metadata.labels).toEqual(original.metadata.labels);
      // deploy is a strategic merge patch, restore a JSON merge patch
      expect(sim.patchLog({ region }).map((p) => p.contentType)).toEqual([
        'application/strategic-merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/merge-patch+json',
      ]);
    });
  }

  it('classifies failures: 404, 401 and 403 are permanent, 5xx and timeouts are not, the token never shows', async () => {
    const client = clusters.forRegion('by-token');
    const missing = await client.snapshot({ ...w, deployment: 'nope' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(WorkloadError);
    expect((missing as WorkloadError).permanent).toBe(true);
    expect((missing as WorkloadError).status).toBe(404);
    // the message is the Status body's
    expect((missing as WorkloadError).message).toBe('by-token: read shop/nope failed with HTTP 404: deployments.apps "nope" not found');
    // names are URL-encoded path segments
    const slashed = await client.observe({ ...w, deployment: 'no/such' }).catch((e: unknown) => e);
    expect((slashed as WorkloadError).message).toContain('HTTP 404: deployments.apps "no/such" not found');
    const missingPatch = await client.deploy({ ...w, deployment: 'nope' }, NEW, {}).catch((e: unknown) => e);
    expect((missingPatch as WorkloadError).permanent).toBe(true);
    expect((missingPatch as WorkloadError).message).toBe(
      'by-token: patch shop/nope failed with HTTP 404: deployments.apps "nope" not found',
    );

    sim.injectHttpFault({ region: 'by-token', status: 503 });
    const unavailable = await client.observe(w).catch((e: unknown) => e);
    expect((unavailable as WorkloadError).permanent).toBe(false);
    expect((unavailable as WorkloadError).status).toBe(503);
    expect((unavailable as WorkloadError).message).toContain('HTTP 503: injected fault: GET');

    // as with client-node's generated clients, a 401 carries no message
    sim.injectHttpFault({ region: 'by-token', status: 401 });
    const unauthorized = await client.snapshot(w).catch((e: unknown) => e);
    expect((unauthorized as WorkloadError).permanent).toBe(true);
    expect((unauthorized as WorkloadError).message).toBe('by-token: read shop/checkout failed with HTTP 401: no message');

    sim.injectHttpFault({ region: 'by-token', delayMs: 1_500 });
    const slow = await client.observe(w).catch((e: unknown) => e);
    expect((slow as WorkloadError).permanent).toBe(false);
    expect((slow as WorkloadError).message).toMatch(/timed out after 500ms/);

    sim.injectHttpFault({ region: 'by-token', status: 403 });
    const forbidden = await client.deploy(w, NEW, {}).catch((e: unknown) => e);
    expect((forbidden as WorkloadError).permanent).toBe(true);
    expect((forbidden as WorkloadError).message).toContain('patch shop/checkout failed with HTTP 403: injected fault: PATCH');
    for (const err of [missing, slashed, missingPatch, unavailable, unauthorized, slow, forbidden])
      expect(String((err as Error).message)).not.toContain(TOKEN);

    expect(() => clusters.forRegion('mars')).toThrow(UnknownRegionError);
  });
});
