/** Faults injected by version: error rate and latency, optionally only after a version has baked a while. */

export interface VersionFaultSpec {
  version: string;
  /** Only these regions (default: every region). */
  regions?: string[];
  /** Fraction of requests answered with 500, 0..1. */
  errorRate?: number;
  /** Added to the median latency. */
  addedLatencyMs?: number;
  /** Multiplies the region's base latency. */
  latencyFactor?: number;
  /** The fault starts only this long after the version arrived in the region (a slow smoke). */
  afterSeconds?: number;
}

export interface VersionFault extends VersionFaultSpec {
  id: number;
}

/** The combined effect of the faults active for one version in one region at one time. */
export interface FaultEffect {
  errorRate: number;
  latencyFactor: number;
  addedLatencyMs: number;
}

export const NO_FAULT: FaultEffect = { errorRate: 0, latencyFactor: 1, addedLatencyMs: 0 };

export class VersionFaultError extends Error {}

export function validateVersionFault(spec: VersionFaultSpec): void {
  const bad = (field: string, what: string): never => {
    throw new VersionFaultError(`"${field}" must be ${what}`);
  };
  if (typeof spec.version !== 'string' || spec.version === '') bad('version', 'a non-empty string');
  if (spec.regions !== undefined && (!Array.isArray(spec.regions) || !spec.regions.every((r) => typeof r === 'string'))) {
    bad('regions', 'an array of region names');
  }
  const num = (v: number | undefined): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v));
  if (!num(spec.errorRate) || (spec.errorRate ?? 0) < 0 || (spec.errorRate ?? 0) > 1) bad('errorRate', 'a number from 0 to 1');
  if (!num(spec.addedLatencyMs) || (spec.addedLatencyMs ?? 0) < 0) bad('addedLatencyMs', 'a non-negative number');
  if (!num(spec.latencyFactor) || (spec.latencyFactor ?? 1) <= 0) bad('latencyFactor', 'a positive number');
  if (!num(spec.afterSeconds) || (spec.afterSeconds ?? 0) < 0) bad('afterSeconds', 'a non-negative number');
  if (spec.errorRate === undefined && spec.addedLatencyMs === undefined && spec.latencyFactor === undefined) {
    throw new VersionFaultError('a version fault needs "errorRate", "addedLatencyMs" and/or "latencyFactor"');
  }
}

export class VersionFaults {
  private faults: VersionFault[] = [];
  private nextId = 1;

  add(spec: VersionFaultSpec): VersionFault {
    validateVersionFault(spec);
    const fault: VersionFault = { id: this.nextId++, version: spec.version };
    if (spec.regions !== undefined) fault.regions = [...spec.regions];
    if (spec.errorRate !== undefined) fault.errorRate = spec.errorRate;
    if (spec.addedLatencyMs !== undefined) fault.addedLatencyMs = spec.addedLatencyMs;
    if (spec.latencyFactor !== undefined) fault.latencyFactor = spec.latencyFactor;
    if (spec.afterSeconds !== undefined) fault.afterSeconds = spec.afterSeconds;
    this.faults.push(fault);
    return { ...fault };
  }

  list(): VersionFault[] {
    return this.faults.map((f) => ({ ...f, ...(f.regions ? { regions: [...f.regions] } : {}) }));
  }

  clear(): void {
    this.faults = [];
  }

  private matching(region: string, version: string): VersionFault[] {
    return this.faults.filter((f) => f.version === version && (f.regions === undefined || f.regions.includes(region)));
  }

  /** What applies at `t` to `version` in `region`, which arrived there at `arrivedAt`. */
  effect(region: string, version: string, arrivedAt: number | undefined, t: number): FaultEffect {
    let errorRate = 0;
    let latencyFactor = 1;
    let addedLatencyMs = 0;
    let matched = false;
    for (const f of this.matching(region, version)) {
      if (f.afterSeconds !== undefined && f.afterSeconds > 0) {
        if (arrivedAt === undefined || t < arrivedAt + f.afterSeconds * 1000) continue;
      }
      matched = true;
      errorRate += f.errorRate ?? 0;
      latencyFactor *= f.latencyFactor ?? 1;
      addedLatencyMs += f.addedLatencyMs ?? 0;
    }
    return matched ? { errorRate: Math.min(1, errorRate), latencyFactor, addedLatencyMs } : NO_FAULT;
  }

  /** Times after `t` when a delayed fault for `version` in `region` starts. */
  startsAfter(region: string, version: string, arrivedAt: number, t: number): number[] {
    const out: number[] = [];
    for (const f of this.matching(region, version)) {
      const at = arrivedAt + (f.afterSeconds ?? 0) * 1000;
      if (at > t) out.push(at);
    }
    return out;
  }
}
