import type { NotificationsConfig } from './notifications-schema.js';
import type { Secret } from './secret.js';

export type Tier = 'low' | 'high';
export type OnFailure = 'rollback' | 'rollback-region' | 'drain' | 'pause';
export type Approval = 'none' | 'required';
export type OnConcurrent = 'queue' | 'supersede';

export interface EngineConfig {
  pollIntervalMs: number;
  defaultProgressDeadlineMs: number;
  sweepIntervalMs: number;
  workerConcurrency: number;
}

export type KubernetesTarget =
  | { kind: 'context'; context: string }
  | { kind: 'server'; server: string; token?: Secret; skipTLSVerify: boolean; caFile?: string };

export interface RegionConfig {
  name: string;
  /** IANA time zone, e.g. `Europe/Paris`. */
  timeZone: string;
  traits: { tier: Tier; tags: string[] };
  kubernetes: KubernetesTarget;
}

export interface WorkloadRef {
  namespace: string;
  deployment: string;
  container: string;
}

export interface ServiceConfig {
  name: string;
  plan: string;
  onConcurrent: OnConcurrent;
  workloads: WorkloadRef[];
  /** Per-region overrides of `workloads`; see `workloadsFor`. */
  regionWorkloads: Record<string, WorkloadRef[]>;
}

export interface StageConfig {
  bakeMs: number;
  progressDeadlineMs: number;
  maxParallel: number;
  onFailure: OnFailure;
  approval: Approval;
}

export type CanaryStage = StageConfig & { region: string };
export type WaveStage = StageConfig & { name: string; regions: string[] };

export interface PlanConfig {
  name: string;
  canary: CanaryStage;
  waves: WaveStage[];
}

export interface TidelineConfig {
  /** Absolute path of the configuration directory. */
  dir: string;
  engine: EngineConfig;
  /** In the order of regions.yaml. */
  regions: RegionConfig[];
  regionsByName: ReadonlyMap<string, RegionConfig>;
  services: ReadonlyMap<string, ServiceConfig>;
  plans: ReadonlyMap<string, PlanConfig>;
  /** From `kubeconfig:` in regions.yaml, absolute; when absent use $KUBECONFIG or ~/.kube/config. */
  kubeconfigPath?: string;
  /** From notifications.yaml; absent when there is no such file (no notifications). */
  notifications?: NotificationsConfig;
}

/** The workloads a service runs in a region: its `regionWorkloads` override, else `workloads`. */
export function workloadsFor(service: ServiceConfig, region: string): WorkloadRef[] {
  return Object.hasOwn(service.regionWorkloads, region) ? (service.regionWorkloads[region] ?? service.workloads) : service.workloads;
}
