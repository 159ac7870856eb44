/**
 * The composition root shared by the API and the worker: the core every process needs
 * (configuration, database, queues, clusters), then the API's parts and/or the worker's
 * (api-parts.ts, worker-parts.ts), wired by hand (plain constructors, no framework).
 */
import { Preflight, QUEUES, RequestRegionOperation } from '#application';
import { loadConfig } from '#config';
import {
  InstrumentedClusters,
  InstrumentedMetricsSources,
  JobQueues,
  RedisConnectionLog,
  KubernetesClusters,
  NotificationJobs,
  connectRedis,
  regionMetricsSources,
  regionTrafficProviders,
  SystemClock,
} from '#integrations';
import { createDataSource, Db, DrillStore, NotificationStore, RegionOperationStore, ReleaseStore } from '#persistence';
import { API_PARTS } from './api-parts.js';
import { ConfigRegionDirectory } from './region-directory.js';
import { regionRules } from './region-rules.js';
import { createLogger } from './logger.js';
import { migrate } from './migrate.js';
import {
  createMetrics,
  observeNotificationStore,
  observeRegionOperations,
  observeReleaseStore,
  registerScrapeGauges,
} from './observability.js';
import { nudgeAfterCommit } from './notifications.js';
import { buildParts, type Built } from './parts.js';
import { settingsFromEnv } from './settings.js';
import { WORKER_PARTS } from './worker-parts.js';

export type Role = 'api' | 'worker' | 'all';
/** What every process builds; the parts' factories take it. */
export type Core = Awaited<ReturnType<typeof buildCore>>;
/** What an app reads of the core itself (its parts come on top). */
type Shell = Pick<Core, 'settings' | 'config' | 'log' | 'db' | 'queues' | 'telemetry' | 'redisLog' | 'close'>;
export type ApiContainer = Shell & Built<typeof API_PARTS>;
export type WorkerContainer = Shell & Built<typeof WORKER_PARTS>;
/** Both apps in one process (the demo). */
export type Container = ApiContainer & WorkerContainer;
export type ContainerFor<R extends Role> = R extends 'api' ? ApiContainer : R extends 'worker' ? WorkerContainer : Container;

/** The core, then the parts `role` runs: the API never builds the engine, the worker no use case only the API serves. */
export async function buildContainer<R extends Role>(
  name: string,
  role: R,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ContainerFor<R>> {
  const core = await buildCore(name, role, env);
  const api = role === 'worker' ? undefined : buildParts(API_PARTS, core);
  const worker = role === 'api' ? undefined : buildParts(WORKER_PARTS, core);
  // TypeScript does not narrow R from `role`: ContainerFor<R> names the parts built just above.
  return { ...core, ...api, ...worker } as Container as ContainerFor<R>;
}

/**
 * `role` sizes the Postgres pool: a worker needs two connections per concurrent job (the
 * release's advisory lock and its transactions), the API a few. DATABASE_POOL_SIZE overrides.
 */
async function buildCore(name: string, role: Role, env: NodeJS.ProcessEnv) {
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
  const queues = new JobQueues(connectRedis(settings.redisUrl), settings.queuePrefix);
  const redisLog = new RedisConnectionLog(log);
  for (const name of Object.values(QUEUES)) redisLog.watch(`queue:${name}`, queues.queue(name));
  const notificationJobs = new NotificationJobs(queues);
  const store = new ReleaseStore(db);
  // With notifications on, the engine's commits nudge the dispatcher (after the commit, fire and forget).
  nudgeAfterCommit(config, store, notificationJobs, log);
  const telemetry = createMetrics();
  observeReleaseStore(store, db, telemetry, log);
  registerScrapeGauges(telemetry, db, queues);
  const clock = new SystemClock();
  const clusters = new InstrumentedClusters(
    new KubernetesClusters(config.regions, { kubeconfigPath: config.kubeconfigPath, timeoutMs: settings.kubeTimeoutMs }),
    telemetry,
  );
  const metrics = new InstrumentedMetricsSources(
    regionMetricsSources(config.regions, { batch: env.TIDELINE_GATE_BATCH !== 'off' }),
    telemetry,
    { scrapeTimes: env.TIDELINE_GATE_ALIGN !== 'off' },
  );
  const traffic = regionTrafficProviders(config.regions, config.kubeconfigPath);
  const drills = new DrillStore(db);
  const preflight = new Preflight(
    metrics,
    regionRules(config),
    {
      alertQuery: config.preflight.alertQuery,
      recheckMs: config.preflight.recheckMs,
      queryTimeoutMs: 10_000,
    },
    drills,
  );
  const regionOps = new RegionOperationStore(db);
  observeRegionOperations(regionOps, db, telemetry);
  const directory = new ConfigRegionDirectory(config);
  const sweepGraceMs = Math.max(2_000, config.engine.pollIntervalMs * 4);
  const requestRegionOperation = new RequestRegionOperation(db, regionOps, directory, traffic, queues, clock);
  /** how often a region operation or a drill looks again */
  const pollMs = Math.max(250, config.engine.pollIntervalMs);
  const notificationStore = new NotificationStore(db);
  observeNotificationStore(notificationStore, telemetry);
  return {
    settings,
    config,
    log,
    db,
    store,
    queues,
    notificationJobs,
    notificationStore,
    clock,
    clusters,
    metrics,
    traffic,
    drills,
    preflight,
    regionOps,
    directory,
    sweepGraceMs,
    pollMs,
    requestRegionOperation,
    /** this process's Prometheus metrics (GET /metrics) */
    telemetry,
    /** Redis connection state, logged once per change (workers register theirs too) */
    redisLog,
    async close() {
      await queues.close();
      await db.close();
    },
  };
}

function poolSizeFor(role: Role, workerConcurrency: number, notificationConcurrency = 0): number {
  const worker = workerConcurrency * 2 + 2 + notificationConcurrency;
  return role === 'api' ? 10 : role === 'worker' ? worker : worker + 10;
}
