/**
 * One KubeConfig per region: a context from a kubeconfig file, or an API server URL with a
 * bearer token from the environment or a file. Unknown regions throw.
 */
import * as k8s from '@kubernetes/client-node';
import type { RegionConfig } from '#config';
import type { Clusters, WorkloadClient } from '#application';
import { ClientNodeWorkloads } from './client-node-workloads.js';
import { KeepAliveKubeConfig } from './keep-alive-kubeconfig.js';

export class UnknownRegionError extends Error {
  constructor(region: string) {
    super(`no cluster is configured for region "${region}"`);
    this.name = 'UnknownRegionError';
  }
}

export function kubeConfigFor(region: RegionConfig, kubeconfigPath?: string): k8s.KubeConfig {
  const kc = new KeepAliveKubeConfig();
  const k = region.kubernetes;
  if (k.kind === 'context') {
    if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
    else kc.loadFromDefault();
    kc.setCurrentContext(k.context);
    return kc;
  }
  kc.loadFromOptions({
    clusters: [{ name: region.name, server: k.server, skipTLSVerify: k.skipTLSVerify, caFile: k.caFile }],
    users: [{ name: `tideline-${region.name}`, token: k.token?.reveal() }],
    contexts: [{ name: region.name, cluster: region.name, user: `tideline-${region.name}` }],
    currentContext: region.name,
  });
  return kc;
}

export class KubernetesClusters implements Clusters {
  private readonly clients = new Map<string, WorkloadClient>();

  constructor(regions: readonly RegionConfig[], options: { kubeconfigPath?: string; timeoutMs: number }) {
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
