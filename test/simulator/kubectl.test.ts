/**
 * The real `kubectl` (Debian's kubernetes-client; $KUBECTL or `kubectl` on PATH) against the
 * region simulator: discovery, get, describe, set image, rollout status (a watch), patch.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { NAME, NS, TOKEN, V1 } from './helpers.js';

const KUBECTL = process.env['KUBECTL'] ?? 'kubectl';
const V2 = 'registry.example.com/shop/checkout:2.0.0';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('kubectl against the region simulator', () => {
  let sim: RunningSimulator;
  let dir: string;
  let kubeconfig: string;

  /** Runs kubectl asynchronously (the simulator lives in this process and must keep answering). */
  const kubectl = (args: string[], opts: { kubeconfigPath?: string; timeoutMs?: number } = {}): Promise<Run> =>
    new Promise((resolve) => {
      const all = ['--kubeconfig', opts.kubeconfigPath ?? kubeconfig, '--cache-dir', join(dir, 'cache'), '--request-timeout=20s', ...args];
      execFile(KUBECTL, all, { timeout: opts.timeoutMs ?? 60_000, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });

  beforeAll(async () => {
    sim = await startSimulator({
      regions: ['eu-west', 'us-east'],
      stepMs: 2000,
      progressDeadlineSeconds: 5,
      deployments: [{ namespace: NS, name: NAME, container: 'checkout', image: V1, replicas: 3 }],
    });
    dir = mkdtempSync(join(tmpdir(), 'tideline-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig.json');
    writeFileSync(kubeconfig, JSON.stringify(sim.kubeconfig()), { mode: 0o600 });
  });
  afterEach(() => sim.reset());
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists deployments (discovery, then the server-side table) and reads one as JSON', async () => {
    const table = await kubectl(['--context', 'eu-west', '-n', NS, 'get', 'deployments']);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(row?.split(/\s+/).slice(0, 4)).toEqual([NAME, '3/3', '3', '3']);

    const wide = await kubectl(['--context', 'eu-west', '-n', NS, 'get', 'deploy', NAME, '-o', 'wide']);
    expect(wide.code).toBe(0);
    expect(wide.stdout).toContain(V1);

    const json = await kubectl(['--context', 'us-east', 'get', 'deployments', '--all-namespaces', '-o', 'json']);
    expect(json.code).toBe(0);
    const list = JSON.parse(json.stdout) as { kind: string; items: { metadata: { name: string; namespace: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual([`${NS}/${NAME}`]);
  });

  it('fails with distinct errors for a missing deployment and for a simulator that wants a token', async () => {
    const missing = await kubectl(['--context', 'eu-west', '-n', NS, 'get', 'deployment', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('deployments.apps "nope" not found');

    // kubectl never sends credentials to a plain-http server (kubernetes/kubectl#744): with
    // SIM_TOKEN set, the simulator answers it 401 and kubectl says so
    const guarded = await startSimulator({ regions: ['eu-west'], token: TOKEN });
    try {
      const withToken = join(dir, 'with-token.json');
      writeFileSync(withToken, JSON.stringify(guarded.kubeconfig()), { mode: 0o600 });
      const denied = await kubectl(['--context', 'eu-west', '-n', NS, 'get', 'deployments'], { kubeconfigPath: withToken });
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain('You must be logged in to the server');
    } finally {
      await guarded.close();
    }
  });

  it('describes a deployment', async () => {
    const out = await kubectl(['--context', 'eu-west', '-n', NS, 'describe', 'deployment', NAME]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Name:\s+checkout$/m);
    expect(out.stdout).toMatch(/Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable/);
    expect(out.stdout).toMatch(/Image:\s+registry\.example\.com\/shop\/checkout:1\.0\.0/);
    expect(out.stdout).toMatch(/Available\s+True\s+MinimumReplicasAvailable/);
  });

  it('set image starts a rollout that rollout status watches to the end', async () => {
    const set = await kubectl(['--context', 'eu-west', '-n', NS, 'set', 'image', `deployment/${NAME}`, `checkout=${V2}`]);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`deployment.apps/${NAME} image updated`);
    const started = sim.deployment('eu-west', NS, NAME);
    expect(started?.images).toEqual({ checkout: V2 });
    expect(started?.generation).toBe(2);
    expect(sim.deployment('us-east', NS, NAME)?.images).toEqual({ checkout: V1 }); // one region only
    expect(sim.patchLog({ region: 'eu-west' }).map((e) => e.contentType)).toEqual(['application/strategic-merge-patch+json']);

    const status = await kubectl(['--context', 'eu-west', '-n', NS, 'rollout', 'status', `deployment/${NAME}`, '--timeout=60s']);
    // it returned because the rollout finished, not before
    expect(sim.deployment('eu-west', NS, NAME)?.complete).toBe(true);
    expect(status.code).toBe(0);
    expect(status.stdout.trim().split('\n').at(-1)).toBe(`deployment "${NAME}" successfully rolled out`);
    expect(status.stdout).toContain('Waiting for deployment'); // it saw the rollout in progress (about 6 s of steps)
  });

  it('rollout status fails when the rollout exceeds its progress deadline', async () => {
    sim.markBadImage(V2);
    expect((await kubectl(['--context', 'us-east', '-n', NS, 'set', 'image', `deployment/${NAME}`, `checkout=${V2}`])).code).toBe(0);
    const status = await kubectl(['--context', 'us-east', '-n', NS, 'rollout', 'status', `deployment/${NAME}`, '--timeout=60s']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`deployment "${NAME}" exceeded its progress deadline`);
    expect(sim.deployment('us-east', NS, NAME)?.progressing.reason).toBe('ProgressDeadlineExceeded');
  });

  it('patches with strategic merge, JSON merge and JSON patch; a bad patch is refused', async () => {
    const ctx = ['--context', 'eu-west', '-n', NS];
    const strategicPatch = await kubectl([...ctx, 'patch', 'deployment', NAME, '-p', '{"spec":{"replicas":4}}']);
    expect(strategicPatch.code).toBe(0);
    expect(strategicPatch.stdout).toContain(`deployment.apps/${NAME} patched`);
    expect(sim.deployment('eu-west', NS, NAME)?.replicas).toBe(4);

    const merge = await kubectl([...ctx, 'patch', 'deployment', NAME, '--type=merge', '-p', '{"metadata":{"labels":{"team":"shop"}}}']);
    expect(merge.code).toBe(0);
    expect(sim.deployment('eu-west', NS, NAME)?.labels).toMatchObject({ team: 'shop', app: NAME });

    const json = await kubectl([
      ...ctx,
      'patch',
      'deployment',
      NAME,
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/replicas","value":2}]',
    ]);
    expect(json.code).toBe(0);
    expect(sim.deployment('eu-west', NS, NAME)?.replicas).toBe(2);

    const bad = await kubectl([...ctx, 'patch', 'deployment', NAME, '--type=merge', '-p', '{"spec":{"replicas":-1}}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('spec.replicas: Invalid value');
    expect(sim.deployment('eu-west', NS, NAME)?.replicas).toBe(2);

    const same = await kubectl([...ctx, 'patch', 'deployment', NAME, '-p', '{"spec":{"replicas":2}}']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('(no change)');
  });

  it('reads and patches the edge cluster HTTPRoute', async () => {
    const get = await kubectl(['--context', 'edge', '-n', 'edge', 'get', 'httproutes']);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/^global\s+shop\.example\.com\s/m);
    const patch = await kubectl([
      '--context',
      'edge',
      '-n',
      'edge',
      'patch',
      'httproute',
      'global',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/spec/rules/0/backendRefs/0/weight","value":0}]',
    ]);
    expect(patch.code).toBe(0);
    const route = sim.readHttpRoute('edge', 'global') as {
      metadata: { generation: number };
      spec: { rules: { backendRefs: { weight?: number }[] }[] };
    };
    expect(route.metadata.generation).toBe(2);
    expect(route.spec.rules[0]?.backendRefs[0]?.weight).toBe(0);
    const strategic = await kubectl([
      '--context',
      'edge',
      '-n',
      'edge',
      'patch',
      'httproute',
      'global',
      '-p',
      '{"spec":{"hostnames":["x.example.com"]}}',
    ]);
    expect(strategic.code).toBe(1); // HTTPRoute is a custom resource: no strategic merge patch
    expect(strategic.stderr).toContain('strategic merge patch is not supported');
  });
});
