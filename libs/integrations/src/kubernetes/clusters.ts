/**
 * Kubernetes per region: one KubeConfig per region, built by the factory of its target kind (a
 * context from a kubeconfig file, or an API server URL with a bearer token), and one
 * WorkloadClient on it; the per-region builder production and tests use. Unknown regions throw.
 */
import * as k8s from '@kubernetes/client-node';
import type { KubernetesTarget, RegionConfig } from '#config';
import { UnknownRegionError, type Clusters, type WorkloadClient } from '#application';
import { ClientNodeWorkloads } from './client-node-workloads.js';
import { KeepAliveKubeConfig } from './keep-alive-kubeconfig.js';

type KubeConfigFactory<K extends KubernetesTarget['kind']> = (
  kc: k8s.KubeConfig,
  target: Extract<KubernetesTarget, { kind: K }>,
  region: string,
  kubeconfigPath: string | undefined,
) => void;

/** One factory per target kind (a closed union). */
const KUBECONFIG_FACTORIES: { readonly [K in KubernetesTarget['kind']]: KubeConfigFactory<K> } = {
  context: (kc, target, _region, kubeconfigPath) => {
    if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
    else kc.loadFromDefault();
    kc.setCurrentContext(target.context);
  },
  server: (kc, target, region) =>
    kc.loadFromOptions({
      clusters: [{ name: region, server: target.server, skipTLSVerify: target.skipTLSVerify, caFile: target.caFile }],
      users: [{ name: `tideline-${region}`, token: target.token?.reveal() }],
      contexts: [{ name: region, cluster: region, user: `tideline-${region}` }],
      currentContext: region,
    }),
};

/** The region's KubeConfig (connections kept alive); throws on a target kind no factory is registered for. */
export function kubeConfigFor(region: RegionConfig, kubeconfigPath?: string): k8s.KubeConfig {
  const target = region.kubernetes;
  if (!Object.hasOwn(KUBECONFIG_FACTORIES, target.kind)) {
    throw new Error(`unknown kubernetes target kind "${String(target.kind)}" (known: ${Object.keys(KUBECONFIG_FACTORIES).join(', ')})`);
  }
  const kc = new KeepAliveKubeConfig();
  const factory = KUBECONFIG_FACTORIES[target.kind] as (kc: k8s.KubeConfig, t: KubernetesTarget, region: string, path?: string) => void;
  factory(kc, target, region.name, kubeconfigPath);
  return kc;
}

export class KubernetesClusters implements Clusters {
  private readonly clients = new Map<string, WorkloadClient>();

  constructor(regions: readonly RegionConfig[], options: { kubeconfigPath?: string | undefined; timeoutMs: number }) {
    for (const region of regions) {
      this.clients.set(region.name, new ClientNodeWorkloads(kubeConfigFor(region, options.kubeconfigPath), region.name, options.timeoutMs));
    }
  }

  forRegion(region: string): WorkloadClient {
    const client = this.clients.get(region);
    if (!client) throw new UnknownRegionError(region);
    return client;
  }
}
