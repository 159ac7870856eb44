/**
 * What libs/application offers the rest of Tideline: its entry points (one use case per file
 * under use-cases/, the engine's AdvanceRelease), the ports the outside implements, the job
 * catalogue and the errors use cases throw. The engine's parts stay inside, except the
 * collaborators the composition root builds and hands to AdvanceRelease.
 */
export * from './ports.js';
export * from './errors.js';
export * from './jobs.js';
export * from './notifications/ports.js';
export {
  buildMessage,
  DEFAULT_APPROVERS,
  describePlan,
  formatValue,
  type NotificationMessage,
  type ReleaseSummary,
} from './notifications/message.js';
export type { ActionInput, ActionResult } from './release-action.js';

// The engine: its entry point, and the collaborators the composition root builds for it.
export { AdvanceRelease, type AdvanceOutcome, type AdvanceSettings } from './engine/advance-release.js';
export { RegionDriver } from './engine/region-driver.js';
export { GateRunner } from './engine/gate-runner.js';
export { Preflight, type DrillsInFlight, type PreflightSettings, type RegionRules } from './engine/preflight.js';
export { Drainer, type DrainSettings } from './engine/drainer.js';

// Releases
export * from './use-cases/create-release.js';
export * from './use-cases/get-release.js';
export * from './use-cases/list-releases.js';
export * from './use-cases/list-release-events.js';
export * from './use-cases/list-gate-evaluations.js';
export * from './use-cases/sweep-releases.js';
export * from './use-cases/plan-dry-run.js';
// Operator actions
export * from './use-cases/pause-release.js';
export * from './use-cases/resume-release.js';
export * from './use-cases/approve-release.js';
export * from './use-cases/promote-release.js';
export * from './use-cases/rollback-release.js';
export * from './use-cases/cancel-release.js';
export * from './use-cases/retry-region.js';
// Notifications
export * from './use-cases/dispatch-notifications.js';
export * from './use-cases/deliver-notification.js';
export * from './use-cases/list-notifications.js';
// Regions
export * from './use-cases/list-regions.js';
export * from './use-cases/request-region-operation.js';
export * from './use-cases/get-region-operation.js';
export * from './use-cases/run-region-operation.js';
export * from './use-cases/sweep-region-operations.js';
export * from './use-cases/list-audit.js';
// Learning from history
export * from './learning/get-time-to-smoke.js';
export * from './learning/auto-bake-resolver.js';
export * from './learning/propose-plan.js';
export * from './learning/request-drill.js';
export * from './learning/get-drill.js';
export * from './learning/list-drills.js';
export * from './learning/run-drill-step.js';
export * from './learning/sweep-drills.js';
