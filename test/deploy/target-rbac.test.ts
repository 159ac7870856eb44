/**
 * Least privilege on target clusters: the Kubernetes adapter's real calls (recorded through a
 * proxy in front of the simulator: record → deploy → observe → restore, and a failing call)
 * are all granted by deploy/target-cluster, and the Role grants exactly the declared table
 * (KUBERNETES_API_USE): no more verbs, no wildcards, no secrets, no ClusterRole.
 */
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { loadConfig } from '#config';
import { judgeRollout, releaseLabels } from '#domain';
import * as k8s from '@kubernetes/client-node';
import { GatewayApiTrafficProvider, KUBERNETES_API_USE, KubernetesClusters } from '#integrations';
import { render, type RoleRule } from '../support/kustomize.js';

interface Call {
  apiGroup: string;
  resource: string;
  verb: string;
  namespace: string;
  name: string | null;
}

/** method + path (+ ?watch) → the RBAC verb and resource the API server would check. */
function toCall(method: string, url: URL): Call | null {
  const m = /^\/(?:regions\/[^/]+|edge)\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(
    url.pathname,
  );
  if (!m) return null;
  const [, group = '', namespace, resource, name, sub] = m;
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verb =
    method === 'GET'
      ? watch
        ? 'watch'
        : name
          ? 'get'
          : 'list'
      : method === 'PATCH'
        ? 'patch'
        : method === 'PUT'
          ? 'update'
          : method === 'POST'
            ? 'create'
            : method === 'DELETE'
              ? 'delete'
              : method.toLowerCase();
  return { apiGroup: group, resource: sub ? `${resource}/${sub}` : resource!, verb, namespace: namespace!, name: name ?? null };
}

describe('target-cluster RBAC = what the Kubernetes adapter calls', () => {
  let sim: RunningSimulator;
  let proxy: Server;
  const calls: Call[] = [];
  let clusters: KubernetesClusters;
  let edge: GatewayApiTrafficProvider;

  beforeAll(async () => {
    sim = await startSimulator({ regions: ['r1'], stepMs: 20 });
    const target = new URL(sim.url);
    proxy = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      const call = toCall(req.method ?? 'GET', url);
      if (call) calls.push(call);
      else calls.push({ apiGroup: '?', resource: url.pathname, verb: req.method ?? '?', namespace: '?', name: null });
      const upstream = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const dir = mkdtempSync(join(tmpdir(), 'tideline-rbac-'));
    const port = (proxy.address() as { port: number }).port;
    writeFileSync(
      join(dir, 'regions.yaml'),
      JSON.stringify({ regions: [{ name: 'r1', kubernetes: { server: `http://127.0.0.1:${port}/regions/r1`, skipTLSVerify: true } }] }),
    );
    clusters = new KubernetesClusters(loadConfig(dir, {}).regions, { timeoutMs: 5_000 });
    // the gateway-api traffic provider against the simulator's edge cluster, through the same proxy
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'edge', server: `http://127.0.0.1:${port}/edge`, skipTLSVerify: true }],
      users: [{ name: 'tideline' }],
      contexts: [{ name: 'edge', cluster: 'edge', user: 'tideline' }],
      currentContext: 'edge',
    });
    edge = new GatewayApiTrafficProvider({
      kubeConfig: kc,
      namespace: 'edge',
      route: 'global',
      backendRef: 'r1',
      managed: ['r1'],
      timeoutMs: 5_000,
      pollMs: 20,
    });
  });

  afterAll(async () => {
    await new Promise<void>((r) => proxy?.close(() => r()));
    await sim?.close();
  });

  it('records every call of a deploy and a rollback; the Role grants them and exactly the declared table', async () => {
    const client = clusters.forRegion('r1');
    const w = { namespace: 'shop', deployment: 'checkout', container: 'checkout' };
    const recorded = await client.snapshot(w);
    const image = 'registry.example.com/shop/checkout:9.9.9';
    const labels = releaseLabels({ id: 'rel-1', version: '9.9.9', releaseNumber: 9 });
    const started = Date.now();
    await client.deploy(w, image, labels);
    while (judgeRollout(await client.observe(w), image, started, 10_000, Date.now()).kind === 'progressing')
      await new Promise((r) => setTimeout(r, 20));
    await client.restore(recorded, Object.keys(labels));
    await expect(client.snapshot({ ...w, deployment: 'missing' })).rejects.toThrow(/404/);

    const workloadCalls = calls.splice(0);
    // a drain and a restore of r1's weight in the edge cluster's HTTPRoute
    const before = await edge.getWeight();
    await edge.setWeight('r1', 0);
    await edge.setWeight('r1', before);
    const routeCalls = calls.splice(0);

    const key = (c: Call) => `${c.apiGroup}/${c.resource}:${c.verb}`;
    expect([...new Set(workloadCalls.map(key))].sort()).toEqual(['apps/deployments:get', 'apps/deployments:patch']);
    expect(
      workloadCalls.every((c) => c.namespace === 'shop' && c.name !== null),
      JSON.stringify(workloadCalls),
    ).toBe(true);
    expect([...new Set(routeCalls.map(key))].sort()).toEqual([
      'gateway.networking.k8s.io/httproutes:get',
      'gateway.networking.k8s.io/httproutes:patch',
    ]);
    expect(
      routeCalls.every((c) => c.namespace === 'edge' && c.name === 'global'),
      JSON.stringify(routeCalls),
    ).toBe(true);
    const used = new Set([...workloadCalls, ...routeCalls].map(key));

    const objects = render('target-cluster');
    const roles = objects.filter((o) => o.kind === 'Role');
    const rules = roles.flatMap((r) => (r as unknown as { rules: RoleRule[] }).rules);
    const granted = new Set(
      rules.flatMap((r) => r.apiGroups!.flatMap((g) => r.resources!.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)))),
    );
    for (const u of used) expect(granted, `the Role must grant ${u}`).toContain(u);

    const declared = new Set(KUBERNETES_API_USE.flatMap((u) => u.verbs.map((v) => `${u.apiGroup}/${u.resource}:${v}`)));
    expect([...granted].sort()).toEqual([...declared].sort());
    for (const u of KUBERNETES_API_USE) for (const v of u.verbs) expect(u.why[v], `${u.resource}:${v} says why`).toBeTruthy();
    // Granted but not called by the engine today: list and watch on the named Deployments (read-only;
    // for `kubectl rollout status` by the same account and a watch-based observer). Nothing else.
    const notCalled = [...declared].filter((d) => !used.has(d)).sort();
    expect(notCalled).toEqual(['apps/deployments:list', 'apps/deployments:watch']);
  });

  it('grants on named objects only: no ClusterRole, no wildcard, no secrets, bound to the tideline ServiceAccount', () => {
    const objects = render('target-cluster');
    expect(objects.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
    const roles = objects.filter((o) => o.kind === 'Role');
    expect(roles.length).toBeGreaterThanOrEqual(1);
    for (const role of roles) {
      for (const rule of (role as unknown as { rules: RoleRule[] }).rules) {
        const all = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs, ...(rule.resourceNames ?? [])];
        expect(
          all.some((x) => x.includes('*')),
          `${role.metadata.name}: ${JSON.stringify(rule)}`,
        ).toBe(false);
        expect(rule.resources).not.toContain('secrets');
        expect(rule.resourceNames?.length ?? 0, `${role.metadata.name}: resourceNames`).toBeGreaterThan(0);
        if (rule.resources!.includes('deployments')) expect([...rule.verbs].sort()).toEqual(['get', 'list', 'patch', 'watch']);
        if (rule.resources!.includes('httproutes')) expect([...rule.verbs].sort()).toEqual(['get', 'patch']);
      }
      const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.namespace === role.metadata.namespace) as unknown as {
        roleRef: { kind: string; name: string };
        subjects: Array<{ kind: string; name: string; namespace: string }>;
      };
      expect(binding.roleRef).toMatchObject({ kind: 'Role', name: role.metadata.name });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'tideline', namespace: 'tideline-system' }]);
    }
    // Every Deployment Tideline's example configuration manages is granted by name.
    const shop = roles.find((r) => r.metadata.namespace === 'shop') as unknown as { rules: RoleRule[] };
    expect(shop.rules[0]!.resourceNames).toEqual(['checkout']);
  });
});
