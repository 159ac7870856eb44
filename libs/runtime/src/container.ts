/**
 * The composition root shared by the API and the worker: configuration, database,
 * queues, clusters and the use cases, wired by hand (plain constructors, no framework).
 */
import type { Logger as PinoLogger } from 'pino';
import {
  AdvanceRelease,
  ApproveRelease,
  CancelRelease,
  CreateRelease,
  Drainer,
  GateRunner,
  GetRegionOperation,
  GetRelease,
  ListAudit,
  ListGateEvaluations,
  ListReleaseEvents,
  ListRegions,
  ListReleases,
  PauseRelease,
  PlanDryRun,
  Preflight,
  PromoteRelease,
  QUEUES,
  RegionDriver,
  RequestRegionOperation,
  ResumeRelease,
  RetryRegion,
  RollbackRelease,
  RunRegionOperation,
  SweepRegionOperations,
  SweepReleases,
} from '#application';
import { buildLearning, type Learning } from './learning.js';
import { loadConfig, type TidelineConfig } from '#config';
import {
  InstrumentedClusters,
  InstrumentedMetricsSources,
  JobQueues,
  RedisConnectionLog,
  KubernetesClusters,
  NotificationJobs,
  redisConnection,
  SystemClock,
  type TidelineMetrics,
} from '#integrations';
import {
  AuditStore,
  createDataSource,
  Db,
  DeployHistory,
  DrillStore,
  GateStore,
  RegionOperationStore,
  type ReleaseStore,
} from '#persistence';
import { ConfigRegionDirectory } from './region-directory.js';
import { drainSettings, RegionMetricsSources, RegionTrafficProviders, regionRules } from './region-services.js';
import { createLogger } from './logger.js';
import { migrate } from './migrate.js';
import {
  createMetrics,
  observeNotificationStore,
  observeRegionOperations,
  observeReleaseStore,
  registerScrapeGauges,
} from './observability.js';
import { buildNotifications, releaseStoreFor, type NotificationsRuntime } from './notifications.js';
import { settingsFromEnv, type RuntimeSettings } from './settings.js';

export interface Container {
  settings: RuntimeSettings;
  config: TidelineConfig;
  log: PinoLogger;
  db: Db;
  store: ReleaseStore;
  queues: JobQueues;
  createRelease: CreateRelease;
  getRelease: GetRelease;
  listReleases: ListReleases;
  listEvents: ListReleaseEvents;
  listGates: ListGateEvaluations;
  pauseRelease: PauseRelease;
  resumeRelease: ResumeRelease;
  approveRelease: ApproveRelease;
  promoteRelease: PromoteRelease;
  rollbackRelease: RollbackRelease;
  cancelRelease: CancelRelease;
  retryRegion: RetryRegion;
  advanceRelease: AdvanceRelease;
  sweepReleases: SweepReleases;
  notifications: NotificationsRuntime;
  listRegions: ListRegions;
  requestRegionOperation: RequestRegionOperation;
  getRegionOperation: GetRegionOperation;
  runRegionOperation: RunRegionOperation;
  sweepRegionOperations: SweepRegionOperations;
  listAudit: ListAudit;
  /** issue 12: time-to-smoke, bake: auto, the wave planner, drills */
  learning: Learning;
  planDryRun: PlanDryRun;
  /** this process's Prometheus metrics (GET /metrics) */
  telemetry: TidelineMetrics;
  /** Redis connection state, logged once per change (workers register theirs too) */
  redisLog: RedisConnectionLog;
  close(): Promise<void>;
}

/**
 * `role` sizes the Postgres pool: a worker needs two connections per concurrent job (the
 * release's advisory lock and its transactions), the API a few. DATABASE_POOL_SIZE overrides.
 */
export async function buildContainer(
  name: string,
  role: 'api' | 'worker' | 'all',
  env: NodeJS.ProcessEnv = process.env,
): Promise<Container> {
  const settings = settingsFromEnv(env);
  const log = createLogger(name, settings.logLevel);
  const config = loadConfig(settings.configDir, env);
  const dataSource = await createDataSource(
    settings.databaseUrl
      ? {
          kind: 'server',
          url: settings.databaseUrl,
          poolSize:
            settings.databasePoolSize ?? poolSizeFor(role, config.engine.workerConcurrency, config.notifications?.delivery.concurrency),
        }
      : { kind: 'embedded', dataDir: settings.pgliteDir },
  );
  const db = new Db(dataSource, !settings.databaseUrl);
  await migrate(db, log);
  const queues = new JobQueues(redisConnection(settings.redisUrl), settings.queuePrefix);
  const redisLog = new RedisConnectionLog(log);
  for (const name of Object.values(QUEUES)) redisLog.watch(`queue:${name}`, queues.queue(name));
  const notificationJobs = new NotificationJobs(queues);
  // With notifications on, the engine's commits nudge the dispatcher (fire and forget).
  const store = releaseStoreFor(config, db, notificationJobs);
  const telemetry = createMetrics();
  observeReleaseStore(store, db, telemetry, log);
  registerScrapeGauges(telemetry, db, queues);
  const clock = new SystemClock();
  const clusters = new InstrumentedClusters(
    new KubernetesClusters(config.regions, { kubeconfigPath: config.kubeconfigPath, timeoutMs: settings.kubeTimeoutMs }),
    telemetry,
  );
  const driver = new RegionDriver(clusters, log);
  const metrics = new InstrumentedMetricsSources(
    new RegionMetricsSources(config.regions, { batch: env.TIDELINE_GATE_BATCH !== 'off' }),
    telemetry,
  );
  const traffic = new RegionTrafficProviders(config.regions, config.kubeconfigPath);
  const gates = new GateRunner(metrics, clock, log);
  const preflight = new Preflight(
    metrics,
    regionRules(config),
    {
      alertQuery: config.preflight.alertQuery,
      recheckMs: config.preflight.recheckMs,
      queryTimeoutMs: 10_000,
    },
    new DrillStore(db),
  );
  const drainer = new Drainer(traffic, metrics, drainSettings(config), log);
  const regionOps = new RegionOperationStore(db);
  observeRegionOperations(regionOps, db, telemetry);
  const directory = new ConfigRegionDirectory(config);
  const sweepGraceMs = Math.max(2_000, config.engine.pollIntervalMs * 4);
  const requestRegionOperation = new RequestRegionOperation(db, regionOps, directory, traffic, queues, clock);
  const learning = buildLearning({
    config,
    db,
    regionOps,
    requestRegionOperation,
    directory,
    traffic,
    clusters,
    metrics,
    queues,
    clock,
    log,
    sweepGraceMs,
  });
  const notifications = buildNotifications(config, db, store, notificationJobs, log);
  observeNotificationStore(notifications.store, telemetry);
  return {
    settings,
    config,
    log,
    db,
    store,
    queues,
    createRelease: new CreateRelease(config, store, queues, learning.autoBake),
    getRelease: new GetRelease(store),
    listReleases: new ListReleases(store),
    listEvents: new ListReleaseEvents(store),
    listGates: new ListGateEvaluations(store, new GateStore(db)),
    pauseRelease: new PauseRelease(db, store, queues, clock),
    resumeRelease: new ResumeRelease(db, store, queues, clock),
    approveRelease: new ApproveRelease(db, store, queues, clock),
    promoteRelease: new PromoteRelease(db, store, queues, clock),
    rollbackRelease: new RollbackRelease(db, store, queues, clock),
    cancelRelease: new CancelRelease(db, store, queues, clock),
    retryRegion: new RetryRegion(db, store, queues, clock),
    advanceRelease: new AdvanceRelease(
      db,
      store,
      driver,
      gates,
      preflight,
      drainer,
      clock,
      queues,
      { pollIntervalMs: config.engine.pollIntervalMs, lockWaitMs: 20_000 },
      log,
    ),
    sweepReleases: new SweepReleases(store, queues, clock, sweepGraceMs, log),
    notifications,
    listRegions: new ListRegions(directory, clusters, traffic, regionOps),
    requestRegionOperation,
    getRegionOperation: new GetRegionOperation(regionOps),
    runRegionOperation: new RunRegionOperation(
      db,
      regionOps,
      traffic,
      metrics,
      drainSettings(config),
      queues,
      clock,
      Math.max(250, config.engine.pollIntervalMs),
      log,
    ),
    sweepRegionOperations: new SweepRegionOperations(regionOps, queues, clock, sweepGraceMs),
    listAudit: new ListAudit(new AuditStore(db)),
    learning,
    planDryRun: new PlanDryRun(config, new DeployHistory(db), preflight, clock),
    telemetry,
    redisLog,
    async close() {
      await queues.close();
      await db.close();
    },
  };
}

function poolSizeFor(role: 'api' | 'worker' | 'all', workerConcurrency: number, notificationConcurrency = 0): number {
  const worker = workerConcurrency * 2 + 2 + notificationConcurrency;
  return role === 'api' ? 10 : role === 'worker' ? worker : worker + 10;
}
