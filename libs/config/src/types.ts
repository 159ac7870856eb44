import type { AutoBakeSettings, DeploymentWindow, GateSpec } from '#domain';
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
  | { kind: 'context'; context: string; /** the kubeconfig user may run a program (exec) or an auth-provider plugin */ allowExec: boolean }
  | { kind: 'server'; server: string; token?: Secret; skipTLSVerify: boolean; caFile?: string };

export interface PrometheusConfig {
  /** Base URL, no trailing slash. */
  url: string;
  bearerToken?: Secret;
  timeoutMs: number;
}

/** The traffic provider types regions.yaml accepts; libs/integrations has one factory per type. */
export const TRAFFIC_PROVIDERS = ['simulator', 'webhook', 'gateway-api', 'none'] as const;
export type TrafficProviderType = (typeof TRAFFIC_PROVIDERS)[number];

/** `provider: gateway-api`: the weights of named backendRefs of one HTTPRoute in an edge cluster. */
export interface GatewayApiTraffic {
  /** The edge cluster that holds the HTTPRoute. */
  kubernetes: KubernetesTarget;
  namespace: string;
  route: string;
  /** This region's backendRef name when set on the region (wins over backendRefs). */
  backendRef?: string;
  /** backendRef name by region (usually under defaults); a region in neither uses its own name. */
  backendRefs: Record<string, string>;
}

export interface TrafficConfig {
  provider: TrafficProviderType;
  url?: string;
  /** Bearer token for the simulator's load balancer. */
  token?: Secret;
  /** HMAC key for webhook signatures. */
  secret?: Secret;
  /** PromQL for the region's request rate (variables as in gates); verifies a drain. */
  rateQuery?: string;
  /** A drain is complete when the rate falls below this fraction of the pre-drain rate. */
  drainedFraction: number;
  drainTimeoutMs: number;
  /** `{{window}}` in rateQuery. */
  windowMs: number;
  /** Set for provider gateway-api. */
  gateway?: GatewayApiTraffic;
  timeoutMs: number;
}

export interface PreflightConfig {
  /** PromQL whose non-empty result blocks a region (`{{region}}` etc.); null = no alert check. */
  alertQuery: string | null;
  /** How often a blocked region is looked at again. */
  recheckMs: number;
}

export type Scope = 'releases:create' | 'releases:operate' | 'read' | 'admin';

/** An API bearer token: its name (the actor of what it does), its scopes and its SHA-256 (lowercase hex). */
export interface ApiToken {
  name: string;
  scopes: Scope[];
  sha256: string;
}

export interface AuthConfig {
  tokens: ApiToken[];
}

export interface RegionConfig {
  name: string;
  /** IANA time zone, e.g. `Europe/Paris`. */
  timeZone: string;
  traits: { tier: Tier; tags: string[] };
  kubernetes: KubernetesTarget;
  /** Where gates for this region are evaluated; null = no Prometheus (gates answer `error`). */
  prometheus: PrometheusConfig | null;
  traffic: TrafficConfig;
  deploymentWindow: DeploymentWindow;
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
  /** Checked through the bake and, once verified, until the release ends. */
  gates: GateSpec[];
  /** `bake: auto`: resolved from time-to-smoke when a release is created; bakeMs is the fallback. */
  autoBake?: AutoBakeSettings;
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
  preflight: PreflightConfig;
  /** API tokens (tideline.yaml `auth`); none configured = the API refuses to start unless TIDELINE_AUTH=disabled. */
  auth: AuthConfig;
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
