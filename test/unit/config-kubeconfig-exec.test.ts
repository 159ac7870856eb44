/**
 * Kubeconfig users whose credentials come from a program (exec) or an auth-provider plugin are
 * refused at load time unless the region sets allowExec: true; the error names regions.yaml,
 * the region's path, the kubeconfig file and the user's path in it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '#config';

const KUBECONFIG = {
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'c', cluster: { server: 'https://k8s.example.com' } }],
  users: [
    {
      name: 'by-exec',
      user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'sh', args: ['-c', 'touch /tmp/pwned'] } },
    },
    { name: 'by-plugin', user: { 'auth-provider': { name: 'gcp', config: {} } } },
    { name: 'by-token', user: { token: 'abc' } },
  ],
  contexts: [
    { name: 'exec-ctx', context: { cluster: 'c', user: 'by-exec' } },
    { name: 'plugin-ctx', context: { cluster: 'c', user: 'by-plugin' } },
    { name: 'token-ctx', context: { cluster: 'c', user: 'by-token' } },
  ],
};

function setup(regions: unknown[], withKubeconfigKey = true): { dir: string; kubeconfig: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-kexec-'));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, JSON.stringify(KUBECONFIG));
  writeFileSync(join(dir, 'regions.yaml'), JSON.stringify({ ...(withKubeconfigKey ? { kubeconfig } : {}), regions }));
  return { dir, kubeconfig };
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('kubeconfig exec / auth-provider users', () => {
  it('refuses exec and auth-provider users without allowExec, naming both files and paths', () => {
    const { dir, kubeconfig } = setup([
      { name: 'token', kubernetes: { context: 'token-ctx' } },
      { name: 'exec', kubernetes: { context: 'exec-ctx' } },
      { name: 'plugin', kubernetes: { context: 'plugin-ctx' } },
    ]);
    const err = errorOf(() => loadConfig(dir, {}));
    expect(err.issues).toHaveLength(2);
    expect(err.issues[0]).toMatchObject({ path: 'regions[1].kubernetes.context' });
    expect(err.issues[0]!.file).toMatch(/regions\.yaml$/);
    expect(err.issues[0]!.message).toContain(`${kubeconfig}: users[0].user.exec`);
    expect(err.issues[0]!.message).toMatch(/running a program.*allowExec: true/);
    expect(err.issues[1]).toMatchObject({ path: 'regions[2].kubernetes.context' });
    expect(err.issues[1]!.message).toContain(`${kubeconfig}: users[1].user.auth-provider`);
    expect(err.message).toMatch(/regions\.yaml: regions\[1\]\.kubernetes\.context: context "exec-ctx" uses user "by-exec"/);
  });

  it('finds the kubeconfig through $KUBECONFIG too', () => {
    const { dir, kubeconfig } = setup([{ name: 'exec', kubernetes: { context: 'exec-ctx' } }], false);
    expect(errorOf(() => loadConfig(dir, { KUBECONFIG: `/nonexistent/one:${kubeconfig}` })).message).toContain(
      `${kubeconfig}: users[0].user.exec`,
    );
  });

  it('loads when the region opts in with allowExec: true', () => {
    const { dir } = setup([
      { name: 'exec', kubernetes: { context: 'exec-ctx', allowExec: true } },
      { name: 'plugin', kubernetes: { context: 'plugin-ctx', allowExec: true } },
    ]);
    const config = loadConfig(dir, {});
    expect(config.regions.map((r) => r.kubernetes)).toEqual([
      { kind: 'context', context: 'exec-ctx', allowExec: true },
      { kind: 'context', context: 'plugin-ctx', allowExec: true },
    ]);
  });

  it('allowExec is a boolean and only means something with a context', () => {
    const { dir } = setup([
      { name: 'a', kubernetes: { context: 'exec-ctx', allowExec: 'yes' } },
      { name: 'b', kubernetes: { server: 'https://k8s.example.com', allowExec: true } },
    ]);
    const err = errorOf(() => loadConfig(dir, {}));
    expect(err.issues.map((i) => `${i.path}: ${i.message}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^regions\[0\]\.kubernetes\.allowExec: must be true or false/),
        expect.stringMatching(/^regions\[1\]\.kubernetes.*allowExec.*only with context/),
      ]),
    );
  });

  it('refuses an exec user for the gateway-api edge cluster too, once per context, unless that block sets allowExec', () => {
    const traffic = { provider: 'gateway-api', namespace: 'edge', route: 'global', rateQuery: 'sum(rate(x[1m]))' };
    const { dir, kubeconfig } = setup([
      { name: 'a', kubernetes: { context: 'token-ctx' }, traffic: { ...traffic, kubernetes: { context: 'exec-ctx' } } },
      { name: 'b', kubernetes: { context: 'token-ctx' }, traffic: { ...traffic, kubernetes: { context: 'exec-ctx' } } },
    ]);
    const err = errorOf(() => loadConfig(dir, {}));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ path: 'regions[0].traffic.kubernetes.context' });
    expect(err.issues[0]!.message).toContain(`${kubeconfig}: users[0].user.exec`);
    expect(err.issues[0]!.message).toContain("allowExec: true in the traffic provider's kubernetes block");
    const trusted = setup([
      { name: 'a', kubernetes: { context: 'token-ctx' }, traffic: { ...traffic, kubernetes: { context: 'exec-ctx', allowExec: true } } },
    ]);
    expect(() => loadConfig(trusted.dir, {})).not.toThrow();
  });
});
