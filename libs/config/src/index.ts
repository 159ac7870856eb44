export { loadConfig } from './loader.js';
export { ConfigError, formatIssue, formatIssueAt } from './errors.js';
export type { ConfigIssue } from './errors.js';
export { REDACTED, Secret } from './secret.js';
export { formatDuration, parseDuration } from './duration.js';
export { TRAFFIC_PROVIDERS, workloadsFor } from './types.js';
export { SCOPES, sha256Hex } from './auth-schema.js';
export type {
  ApiToken,
  AuthConfig,
  Scope,
  Approval,
  CanaryStage,
  EngineConfig,
  KubernetesTarget,
  OnConcurrent,
  OnFailure,
  PreflightConfig,
  PrometheusConfig,
  TrafficConfig,
  TrafficProviderType,
  PlanConfig,
  RegionConfig,
  ServiceConfig,
  StageConfig,
  TidelineConfig,
  Tier,
  WaveStage,
  WorkloadRef,
} from './types.js';
export { GATE_VARIABLES, templateProblems } from './gate-schema.js';
export { DEFAULT_DELIVERY } from './notifications-schema.js';
export type {
  DeliveryConfig,
  NotificationsConfig,
  SlackBotConfig,
  SlackConfig,
  SlackWebhookConfig,
  WebhookConfig,
} from './notifications-schema.js';
