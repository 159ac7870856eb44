/**
 * Kubeconfig users that run a program (`exec`) or a plugin (`auth-provider`) to get their
 * credentials are refused unless the region opts in with `allowExec: true`: a kubeconfig is
 * data, and loading one must not run code (cf. Flux GHSA-vvmq-fwmg-2gjc).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import type { RegionConfig } from './types.js';
import type { Problem } from './schema-kit.js';

interface Kubeconfig {
  contexts?: Array<{ name?: string; context?: { user?: string } }>;
  users?: Array<{ name?: string; user?: Record<string, unknown> }>;
}

/** The kubeconfig files client-node reads: `kubeconfig:` of regions.yaml, else $KUBECONFIG (a list), else ~/.kube/config. */
export function kubeconfigFiles(kubeconfigPath: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (kubeconfigPath) return [kubeconfigPath];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter((p) => p !== '');
  return [join(env.HOME || homedir(), '.kube', 'config')];
}

function readKubeconfig(file: string): Kubeconfig | null {
  try {
    const data = parse(readFileSync(file, 'utf8')) as unknown;
    return data && typeof data === 'object' ? (data as Kubeconfig) : null;
  } catch {
    return null; // missing or unreadable: client-node reports it when the region is used
  }
}

/** Problems (path relative to regions.yaml) for clusters — a region's own, and the edge cluster of a
 * gateway-api traffic provider — whose context's user runs code without allowExec. */
export function checkKubeconfigCredentials(
  regions: readonly RegionConfig[],
  kubeconfigPath: string | undefined,
  env: NodeJS.ProcessEnv,
): Problem[] {
  const problems: Problem[] = [];
  const files = kubeconfigFiles(kubeconfigPath, env).map((file) => ({ file, config: readKubeconfig(file) }));
  const check = (k: RegionConfig['kubernetes'], path: Array<string | number>, block: string): void => {
    if (k.kind !== 'context' || k.allowExec) return;
    const ctx = files.flatMap(({ config }) => config?.contexts ?? []).find((c) => c.name === k.context);
    const userName = ctx?.context?.user;
    if (userName === undefined) return;
    for (const { file, config } of files) {
      const index = (config?.users ?? []).findIndex((u) => u.name === userName);
      if (index < 0) continue;
      const user = config!.users![index]!.user ?? {};
      const how = 'exec' in user ? 'exec' : 'auth-provider' in user ? 'auth-provider' : null;
      if (how) {
        problems.push({
          path,
          message: `context "${k.context}" uses user "${userName}" whose credentials come from ${how === 'exec' ? 'running a program' : 'an auth-provider plugin'} (${file}: users[${index}].user.${how}); refused: loading a kubeconfig must not run code. Use a token (tokenEnv / tokenFile), or set allowExec: true in ${block} if you trust that kubeconfig`,
        });
      }
      return; // the first file that defines the user wins, as in client-node
    }
  };
  const edgeContexts = new Set<string>();
  regions.forEach((region, i) => {
    check(region.kubernetes, ['regions', i, 'kubernetes', 'context'], "this region's kubernetes block");
    const edge = region.traffic.gateway?.kubernetes;
    // one problem per edge context, not one per region that inherits it
    if (edge && !(edge.kind === 'context' && edgeContexts.has(edge.context))) {
      if (edge.kind === 'context') edgeContexts.add(edge.context);
      check(edge, ['regions', i, 'traffic', 'kubernetes', 'context'], "the traffic provider's kubernetes block");
    }
  });
  return problems;
}
