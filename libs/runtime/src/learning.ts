/** Composition of issue 12's use cases (time-to-smoke, bake: auto, the wave planner, drills), kept apart from the container. */
import {
  AutoBakeResolver,
  GetDrill,
  GetTimeToSmoke,
  ListDrills,
  ProposePlan,
  RequestDrill,
  RunDrillStep,
  SweepDrills,
  type Clock,
  type Clusters,
  type MetricsSources,
  type RegionDirectory,
  type RequestRegionOperation,
  type TrafficProviders,
} from '#application';
import type { TidelineConfig } from '#config';
import type { JobQueues } from '#integrations';
import { DrillStore, SmokeHistoryStore, type Db, type RegionOperationStore } from '#persistence';
import type { Logger as PinoLogger } from 'pino';
import { drainSettings } from './region-rules.js';

export interface Learning {
  timeToSmoke: GetTimeToSmoke;
  autoBake: AutoBakeResolver;
  proposePlan: ProposePlan;
  requestDrill: RequestDrill;
  getDrill: GetDrill;
  listDrills: ListDrills;
  runDrillStep: RunDrillStep;
  sweepDrills: SweepDrills;
}

export function buildLearning(p: {
  config: TidelineConfig;
  db: Db;
  regionOps: RegionOperationStore;
  requestRegionOperation: RequestRegionOperation;
  directory: RegionDirectory;
  traffic: TrafficProviders;
  clusters: Clusters;
  metrics: MetricsSources;
  queues: JobQueues;
  clock: Clock;
  log: PinoLogger;
  sweepGraceMs: number;
}): Learning {
  const history = new SmokeHistoryStore(p.db);
  const drills = new DrillStore(p.db);
  const pollMs = Math.max(250, p.config.engine.pollIntervalMs);
  return {
    timeToSmoke: new GetTimeToSmoke(p.config, history, p.clock),
    autoBake: new AutoBakeResolver(history, p.clock),
    proposePlan: new ProposePlan(p.config, p.metrics, drainSettings(p.config), p.log),
    requestDrill: new RequestDrill(drills, p.regionOps, p.directory, p.traffic, p.clusters, p.queues, p.clock, (key, waitMs, fn) =>
      p.db.withLock(key, waitMs, fn),
    ),
    getDrill: new GetDrill(drills),
    listDrills: new ListDrills(drills),
    runDrillStep: new RunDrillStep(p.db, drills, p.regionOps, p.requestRegionOperation, p.clusters, p.queues, p.clock, pollMs, p.log),
    sweepDrills: new SweepDrills(drills, p.queues, p.clock, p.sweepGraceMs),
  };
}
