/** The API's parts: each key is a field of the API's container and, through its class, a Nest provider (nothing worker-only is built). */
import {
  ApproveRelease,
  AutoBakeResolver,
  CancelRelease,
  CreateRelease,
  GetDrill,
  GetRegionOperation,
  GetRelease,
  GetTimeToSmoke,
  ListAudit,
  ListDrills,
  ListGateEvaluations,
  ListNotifications,
  ListRegions,
  ListReleaseEvents,
  ListReleases,
  PauseRelease,
  PlanDryRun,
  PromoteRelease,
  ProposePlan,
  RequestDrill,
  RequestRegionOperation,
  ResumeRelease,
  RetryRegion,
  RollbackRelease,
} from '#application';
import { JobQueues, TidelineMetrics } from '#integrations';
import { AuditStore, Db, DeployHistory, GateStore, SmokeHistoryStore } from '#persistence';
import type { Core } from './container.js';
import { partsOf } from './parts.js';
import { drainSettings } from './region-rules.js';

const { part, shared } = partsOf<Core>();

export const API_PARTS = {
  createRelease: part(CreateRelease, (d) => [d.config, d.store, d.queues, new AutoBakeResolver(new SmokeHistoryStore(d.db), d.clock)]),
  getRelease: part(GetRelease, (d) => [d.store]),
  listReleases: part(ListReleases, (d) => [d.store]),
  listEvents: part(ListReleaseEvents, (d) => [d.store]),
  listGates: part(ListGateEvaluations, (d) => [d.store, new GateStore(d.db)]),
  pauseRelease: part(PauseRelease, (d) => [d.db, d.store, d.queues, d.clock]),
  resumeRelease: part(ResumeRelease, (d) => [d.db, d.store, d.queues, d.clock]),
  approveRelease: part(ApproveRelease, (d) => [d.db, d.store, d.queues, d.clock]),
  promoteRelease: part(PromoteRelease, (d) => [d.db, d.store, d.queues, d.clock]),
  rollbackRelease: part(RollbackRelease, (d) => [d.db, d.store, d.queues, d.clock]),
  cancelRelease: part(CancelRelease, (d) => [d.db, d.store, d.queues, d.clock]),
  retryRegion: part(RetryRegion, (d) => [d.db, d.store, d.queues, d.clock]),
  listNotifications: part(ListNotifications, (d) => [d.notificationStore]),
  listRegions: part(ListRegions, (d) => [d.directory, d.clusters, d.traffic, d.regionOps]),
  requestRegionOperation: shared(RequestRegionOperation, (d) => d.requestRegionOperation),
  getRegionOperation: part(GetRegionOperation, (d) => [d.regionOps]),
  listAudit: part(ListAudit, (d) => [new AuditStore(d.db)]),
  // issue 12: time-to-smoke, the wave planner, drills
  timeToSmoke: part(GetTimeToSmoke, (d) => [d.config, new SmokeHistoryStore(d.db), d.clock]),
  proposePlan: part(ProposePlan, (d) => [d.config, d.metrics, drainSettings(d.config), d.log]),
  requestDrill: part(RequestDrill, (d) => [
    d.drills,
    d.regionOps,
    d.directory,
    d.traffic,
    d.clusters,
    d.queues,
    d.clock,
    (key, waitMs, fn) => d.db.withLock(key, waitMs, fn),
  ]),
  getDrill: part(GetDrill, (d) => [d.drills]),
  listDrills: part(ListDrills, (d) => [d.drills]),
  planDryRun: part(PlanDryRun, (d) => [d.config, new DeployHistory(d.db), d.preflight, d.clock]),
  // what controllers read directly
  db: shared(Db, (d) => d.db),
  queues: shared(JobQueues, (d) => d.queues),
  telemetry: shared(TidelineMetrics, (d) => d.telemetry),
};
