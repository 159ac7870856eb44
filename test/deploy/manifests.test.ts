/**
 * deploy/: every overlay renders with the real `kubectl kustomize`, every object validates
 * against the Kubernetes schemas (kubernetes-models), the Deployments are hardened (non-root,
 * read-only root, drop ALL, seccomp RuntimeDefault, probes, resources, secrets by reference),
 * and the ConfigMap is a configuration Tideline loads.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#config';
import { render, type K8sObject } from '../support/kustomize.js';

const OVERLAYS = ['base', 'overlays/production', 'overlays/servicemonitor', 'target-cluster'];

/** apiVersion → the kubernetes-models module ("v1" → core, "apps/v1" → apps/v1). */
async function validate(o: K8sObject): Promise<void> {
  const mod = (await import(`kubernetes-models/${o.apiVersion}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = mod[o.kind];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}

type Container = {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ secretRef?: { name: string } }>;
  securityContext: Record<string, unknown> & { capabilities: { drop: string[] } };
  livenessProbe?: unknown;
  readinessProbe?: { httpGet: { path: string } };
  startupProbe?: unknown;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts: Array<{ name: string; mountPath: string }>;
};
type Deployment = K8sObject & {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        securityContext: Record<string, unknown>;
        automountServiceAccountToken: boolean;
        containers: Container[];
        volumes: Array<{ name: string; configMap?: { name: string; items: Array<{ key: string; path: string }> } }>;
      };
    };
  };
};

describe('deploy/ (Kustomize)', () => {
  it.each(OVERLAYS)('%s renders and every object validates against the Kubernetes schemas', async (dir) => {
    const objects = render(dir);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      if (o.apiVersion === 'monitoring.coreos.com/v1') {
        // The Prometheus Operator's CRD is not in kubernetes-models: check the fields it needs.
        expect(o.kind).toBe('ServiceMonitor');
        const spec = o.spec as { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string }> };
        expect(Object.keys(spec.selector.matchLabels).length).toBeGreaterThan(0);
        const ports = objects
          .filter((s) => s.kind === 'Service')
          .flatMap((s) => (s.spec as { ports: Array<{ name: string }> }).ports.map((p) => p.name));
        for (const e of spec.endpoints) expect(ports, `endpoint port ${e.port}`).toContain(e.port);
        continue;
      }
      await expect(validate(o), `${o.kind}/${o.metadata.name}`).resolves.toBeUndefined();
    }
  });

  it('runs 2 API and 2 worker replicas, hardened, probed, sized, with secrets by reference and a PDB each', () => {
    const objects = render('overlays/production');
    const deployments = objects.filter((o): o is Deployment => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['tideline-api', 'tideline-worker']);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      expect(d.spec.replicas).toBe(2);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
        expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
        expect(c.image).toBe('ghcr.io/example/tideline:0.1.0');
        expect(c.livenessProbe && c.startupProbe).toBeTruthy();
        expect(c.readinessProbe?.httpGet.path).toBe('/readyz');
        expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
        expect(c.envFrom).toEqual([{ secretRef: { name: 'tideline-env' } }]);
        // no secret values inline: only non-secret settings are literal env values
        for (const e of c.env ?? [])
          expect(e.name).toMatch(/^(HOST|PORT|METRICS_HOST|METRICS_PORT|LOG_LEVEL|TIDELINE_CONFIG_DIR|NODE_OPTIONS)$/);
        // the worker's V8 heap: a small young generation, and old space capped at half the memory limit
        const nodeOptions = (c.env ?? []).find((e: { name: string }) => e.name === 'NODE_OPTIONS')?.value as string | undefined;
        if (c.name === 'worker') {
          expect(nodeOptions).toMatch(/--max-semi-space-size=\d+/);
          const oldMiB = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions ?? '')?.[1]);
          expect(oldMiB).toBeLessThanOrEqual(Number(/^(\d+)Mi$/.exec(c.resources.limits.memory)?.[1]) / 2);
        }
        expect(c.volumeMounts.map((m) => m.mountPath).sort()).toEqual(['/etc/tideline', '/tmp']);
      }
      const pdb = objects.find(
        (o) =>
          o.kind === 'PodDisruptionBudget' &&
          JSON.stringify((o.spec as { selector: unknown }).selector) === JSON.stringify({ matchLabels: d.spec.selector.matchLabels }),
      );
      expect(pdb, `PDB for ${d.metadata.name}`).toBeTruthy();
      expect((pdb!.spec as { minAvailable: number }).minAvailable).toBe(1);
    }
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]); // referenced, never rendered
    expect(objects.filter((o) => o.kind.startsWith('Cluster') || o.kind === 'Role')).toEqual([]); // no rights in its own cluster
    const api = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'tideline-api')!;
    expect((api.spec as { selector: Record<string, string> }).selector).toEqual(
      deployments.find((d) => d.metadata.name === 'tideline-api')!.spec.selector.matchLabels,
    );
  });

  it('mounts a ConfigMap that Tideline loads as its configuration directory', () => {
    const objects = render('overlays/production');
    const cm = objects.find((o) => o.kind === 'ConfigMap') as K8sObject & { data: Record<string, string> };
    const d = objects.find((o): o is Deployment => o.kind === 'Deployment')!;
    const volume = d.spec.template.spec.volumes.find((v) => v.configMap)!;
    expect(volume.configMap!.name).toBe(cm.metadata.name); // the generated (hashed) name
    expect(volume.configMap!.items.map((i) => i.key).sort()).toEqual(Object.keys(cm.data).sort());
    const dir = mkdtempSync(join(tmpdir(), 'tideline-cm-'));
    for (const item of volume.configMap!.items) {
      mkdirSync(dirname(join(dir, item.path)), { recursive: true });
      writeFileSync(join(dir, item.path), cm.data[item.key]!);
    }
    const env = {
      TIDELINE_ADMIN_TOKEN: 'a'.repeat(32),
      TIDELINE_CI_TOKEN: 'b'.repeat(32),
      CLUSTER_TOKEN_US_WEST: 't1',
      CLUSTER_TOKEN_EU_WEST: 't2',
    };
    const config = loadConfig(dir, env);
    expect(config.regions.map((r) => r.name)).toEqual(['us-west', 'eu-west']);
    expect([...config.services.keys()]).toEqual(['checkout']);
  });
});
