/** Kubeconfig documents pointing at the simulator, one context per region. */
import type { JsonObject } from './json.js';

const EDGE = 'edge';

/**
 * A kubeconfig in kubectl's format (JSON is valid YAML, so it can be written to a file and
 * loaded with `KubeConfig.loadFromFile` / `loadFromString`). Each region is a cluster whose
 * server is `${baseUrl}/regions/${region}` and a context of the same name; the edge cluster
 * (HTTPRoutes, server `${baseUrl}/edge`) is the context `edge`.
 */
export function simulatorKubeconfig(baseUrl: string, regions: string[], token?: string): JsonObject {
  const user: JsonObject = token !== undefined ? { token } : {};
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      ...regions.map((region) => ({
        name: region,
        cluster: { server: `${baseUrl}/regions/${region}`, 'insecure-skip-tls-verify': true },
      })),
      { name: EDGE, cluster: { server: `${baseUrl}/edge`, 'insecure-skip-tls-verify': true } },
    ],
    users: [{ name: 'tideline-sim', user }],
    contexts: [...regions, EDGE].map((name) => ({
      name,
      context: { cluster: name, user: 'tideline-sim' },
    })),
    'current-context': regions[0] ?? '',
    preferences: {},
  };
}
