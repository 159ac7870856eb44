/** The regions of the configuration, and which workloads each service runs in each region. */
import type { RegionDirectory, RegionInfo } from '#application';
import { workloadsFor, type TidelineConfig } from '#config';

export class ConfigRegionDirectory implements RegionDirectory {
  private readonly infos: RegionInfo[];

  constructor(private readonly config: TidelineConfig) {
    this.infos = config.regions.map((r) => ({
      name: r.name,
      timeZone: r.timeZone,
      tier: r.traits.tier,
      tags: [...r.traits.tags],
      trafficProvider: r.traffic.provider,
    }));
  }

  regions(): RegionInfo[] {
    return this.infos;
  }

  region(name: string): RegionInfo | undefined {
    return this.infos.find((r) => r.name === name);
  }

  /** Services whose plan reaches the region, with their workloads there. */
  workloads(region: string) {
    return [...this.config.services.values()]
      .filter((service) => {
        const plan = this.config.plans.get(service.plan);
        return !plan || plan.canary.region === region || plan.waves.some((w) => w.regions.includes(region));
      })
      .map((service) => ({ service: service.name, workloads: workloadsFor(service, region).map((w) => ({ ...w })) }));
  }
}
