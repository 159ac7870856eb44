import type { GateSpec } from './gates/types.js';

/**
 * Plan expansion: a service's plan (canary + ordered waves) frozen into the snapshot a
 * release carries for its whole life (PRODUCT.md: "A release freezes a snapshot of the plan").
 */

export type FailurePolicy = 'rollback' | 'rollback-region' | 'drain' | 'pause';
export type ApprovalPolicy = 'none' | 'required';

export interface Workload {
  namespace: string;
  deployment: string;
  container: string;
}

export interface StageSettings {
  bakeMs: number;
  progressDeadlineMs: number;
  maxParallel: number;
  onFailure: FailurePolicy;
  approval: ApprovalPolicy;
  /** Absent in snapshots taken before gates existed: read it as []. */
  gates?: GateSpec[];
  /** `bake: auto`: resolved from time-to-smoke when the release is created (bakeMs is the fallback until then). */
  autoBake?: AutoBakeSettings;
  /** Why the stage bakes bakeMs (set when `bake: auto` was resolved). */
  bakeReason?: string;
}

/** `bake: auto` bounds and rule; `fallbackMs` is the configured default used without enough history. */
export interface AutoBakeSettings {
  minMs: number;
  maxMs: number;
  rule: 'twice-mean' | 'p95';
  fallbackMs: number;
}

/** What the plan expander needs from configuration (structurally satisfied by libs/config). */
export interface PlanInput {
  name: string;
  canary: StageSettings & { region: string };
  waves: ReadonlyArray<StageSettings & { name: string; regions: readonly string[] }>;
}

export interface ServiceInput {
  name: string;
  workloads: readonly Workload[];
  regionWorkloads: Readonly<Record<string, readonly Workload[]>>;
}

export interface PlannedRegion {
  region: string;
  workloads: Workload[];
}

export interface StageSnapshot extends StageSettings {
  index: number;
  name: string;
  kind: 'canary' | 'wave';
  regions: PlannedRegion[];
}

export interface PlanSnapshot {
  planName: string;
  service: string;
  stages: StageSnapshot[];
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

export function workloadsIn(service: ServiceInput, region: string): Workload[] {
  const specific = service.regionWorkloads[region];
  return (specific && specific.length > 0 ? specific : service.workloads).map((w) => ({ ...w }));
}

export function expandPlan(plan: PlanInput, service: ServiceInput, knownRegions: ReadonlySet<string>): PlanSnapshot {
  const seen = new Set<string>();
  const planned = (region: string): PlannedRegion => {
    if (!knownRegions.has(region)) throw new PlanError(`plan ${plan.name}: unknown region "${region}"`);
    if (seen.has(region)) throw new PlanError(`plan ${plan.name}: region "${region}" appears twice`);
    seen.add(region);
    const workloads = workloadsIn(service, region);
    if (workloads.length === 0) throw new PlanError(`service ${service.name} has no workload in region "${region}"`);
    return { region, workloads };
  };
  const settings = (s: StageSettings): StageSettings => ({
    bakeMs: s.bakeMs,
    progressDeadlineMs: s.progressDeadlineMs,
    maxParallel: s.maxParallel,
    onFailure: s.onFailure,
    approval: s.approval,
    gates: (s.gates ?? []).map((g) => ({ ...g })),
    ...(s.autoBake ? { autoBake: { ...s.autoBake } } : {}),
  });

  const stages: StageSnapshot[] = [
    { index: 0, name: 'canary', kind: 'canary', ...settings(plan.canary), regions: [planned(plan.canary.region)] },
  ];
  plan.waves.forEach((wave, i) => {
    if (wave.regions.length === 0) throw new PlanError(`plan ${plan.name}: wave ${wave.name} has no region`);
    stages.push({ index: i + 1, name: wave.name, kind: 'wave', ...settings(wave), regions: wave.regions.map(planned) });
  });
  return { planName: plan.name, service: service.name, stages };
}
