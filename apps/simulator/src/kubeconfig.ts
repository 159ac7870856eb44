/** Kubeconfig documents pointing at the simulator, one context per region. */
import type { JsonObject } from './json.js';

/**
 * A kubeconfig in kubectl's format (JSON is valid YAML, so it can be written to a file and
 * loaded with `KubeConfig.loadFromFile` / `loadFromString`). Each region is a cluster whose
 * server is `${baseUrl}/regions/${region}` and a context of the same name.
 */
export function simulatorKubeconfig(baseUrl: string, regions: string[], token?: string): JsonObject {
  const user: JsonObject = token !== undefined ? { token } : {};
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: regions.map((region) => ({
      name: region,
      cluster: { server: `${baseUrl}/regions/${region}`, 'insecure-skip-tls-verify': true },
    })),
    users: [{ name: 'tideline-sim', user }],
    contexts: regions.map((region) => ({
      name: region,
      context: { cluster: region, user: 'tideline-sim' },
    })),
    'current-context': regions[0] ?? '',
    preferences: {},
  };
}
