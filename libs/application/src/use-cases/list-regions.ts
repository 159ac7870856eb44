/**
 * Every configured region, with the version each service runs there (read from its cluster
 * now), its traffic weight (asked from its traffic provider now) and its latest drain or
 * restore. A region or provider that does not answer is shown with the error, never hidden.
 */
import { versionOf, type Workload } from '#domain';
import type { RegionOperationRecord, RegionOperationStore } from '#persistence';
import type { Clusters, RegionDirectory, RegionInfo, TrafficProviders } from '../ports.js';
import { describeError } from '../errors.js';

export interface WorkloadVersion {
  namespace: string;
  deployment: string;
  container: string;
  image: string | null;
  version: string | null;
  /** the Tideline release that last deployed it (label tideline.io/release) */
  release: string | null;
  error: string | null;
}

export interface ServiceInRegion {
  service: string;
  /** the version every workload runs; `mixed` when they differ, null when unknown */
  version: string | null;
  workloads: WorkloadVersion[];
}

export interface RegionStatus extends RegionInfo {
  weight: number | null;
  weightError: string | null;
  services: ServiceInRegion[];
  lastOperation: RegionOperationRecord | null;
}

export class ListRegions {
  constructor(
    private readonly directory: RegionDirectory,
    private readonly clusters: Clusters,
    private readonly traffic: TrafficProviders,
    private readonly ops: RegionOperationStore,
  ) {}

  async execute(): Promise<RegionStatus[]> {
    const latest = await this.ops.latestByRegion();
    return Promise.all(
      this.directory.regions().map(async (info) => {
        const [weight, services] = await Promise.all([this.weight(info.name), this.services(info.name)]);
        return { ...info, ...weight, services, lastOperation: latest.get(info.name) ?? null };
      }),
    );
  }

  private async weight(region: string): Promise<{ weight: number | null; weightError: string | null }> {
    const provider = this.traffic.forRegion(region);
    if (!provider) return { weight: null, weightError: null };
    try {
      return { weight: await provider.getWeight(region), weightError: null };
    } catch (err) {
      return { weight: null, weightError: describeError(err) };
    }
  }

  private services(region: string): Promise<ServiceInRegion[]> {
    return Promise.all(
      this.directory.workloads(region).map(async ({ service, workloads }) => {
        const found = await Promise.all(workloads.map((w) => this.workload(region, w)));
        const versions = [...new Set(found.map((w) => w.version))];
        return {
          service,
          version: versions.length === 1 ? (versions[0] ?? null) : versions.includes(null) ? null : 'mixed',
          workloads: found,
        };
      }),
    );
  }

  private async workload(region: string, w: Workload): Promise<WorkloadVersion> {
    const base = { namespace: w.namespace, deployment: w.deployment, container: w.container };
    try {
      const recorded = await this.clusters.forRegion(region).snapshot(w);
      return {
        ...base,
        image: recorded.image,
        version: versionOf(recorded),
        release: recorded.deploymentLabels['tideline.io/release'] ?? null,
        error: null,
      };
    } catch (err) {
      return { ...base, image: null, version: null, release: null, error: describeError(err) };
    }
  }
}
