/** Per-region rules the use cases read from regions.yaml: deployment windows and alert checks, and drain settings. */
import type { TidelineConfig } from '#config';

export function regionRules(config: TidelineConfig) {
  return (region: string) => {
    const r = config.regionsByName.get(region);
    return r ? { timeZone: r.timeZone, deploymentWindow: r.deploymentWindow, checkAlerts: r.prometheus !== null } : undefined;
  };
}

export function drainSettings(config: TidelineConfig) {
  return (region: string) => {
    const t = config.regionsByName.get(region)?.traffic;
    return {
      ...(t?.rateQuery !== undefined ? { rateQuery: t.rateQuery } : {}),
      drainedFraction: t?.drainedFraction ?? 0.01,
      drainTimeoutMs: t?.drainTimeoutMs ?? 600_000,
      windowMs: t?.windowMs ?? 15_000,
      timeoutMs: t?.timeoutMs ?? 5_000,
    };
  };
}
