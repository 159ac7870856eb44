/** The worker's parts: the engine and the job handlers' use cases, built from the core (nothing API-only is built). */
import {
  AdvanceRelease,
  Drainer,
  GateRunner,
  RegionDriver,
  RunDrillStep,
  RunRegionOperation,
  SweepDrills,
  SweepRegionOperations,
  SweepReleases,
} from '#application';
import type { Core } from './container.js';
import { buildNotifications } from './notifications.js';
import { partsOf } from './parts.js';
import { drainSettings } from './region-rules.js';

const { part } = partsOf<Core>();

export const WORKER_PARTS = {
  advanceRelease: part(AdvanceRelease, (d) => [
    d.db,
    d.store,
    new RegionDriver(d.clusters, d.log),
    new GateRunner(d.metrics, d.clock, d.log),
    d.preflight,
    new Drainer(d.traffic, d.metrics, drainSettings(d.config), d.log),
    d.clock,
    d.queues,
    { pollIntervalMs: d.config.engine.pollIntervalMs, lockWaitMs: 20_000 },
    d.log,
  ]),
  sweepReleases: part(SweepReleases, (d) => [d.store, d.queues, d.clock, d.sweepGraceMs, d.log]),
  runRegionOperation: part(RunRegionOperation, (d) => [
    d.db,
    d.regionOps,
    d.traffic,
    d.metrics,
    drainSettings(d.config),
    d.queues,
    d.clock,
    d.pollMs,
    d.log,
  ]),
  sweepRegionOperations: part(SweepRegionOperations, (d) => [d.regionOps, d.queues, d.clock, d.sweepGraceMs]),
  // issue 12: drills
  runDrillStep: part(RunDrillStep, (d) => [
    d.db,
    d.drills,
    d.regionOps,
    d.requestRegionOperation,
    d.clusters,
    d.queues,
    d.clock,
    d.pollMs,
    d.log,
  ]),
  sweepDrills: part(SweepDrills, (d) => [d.drills, d.queues, d.clock, d.sweepGraceMs]),
  // the dispatcher and the delivery of Slack and webhook notifications
  notifications: (d: Core) => buildNotifications(d.config, d.notificationStore, d.store, d.notificationJobs, d.log),
};
