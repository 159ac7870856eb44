/**
 * Wiring of Slack and webhook notifications (notifications.yaml): destinations, the
 * dispatcher, the delivery use case, and the engine's nudge. Without the file every part
 * exists but does nothing (the worker's job handlers stay complete).
 */
import { DeliverNotification, DispatchNotifications, ListNotifications, type Logger } from '#application';
import { DEFAULT_DELIVERY, type TidelineConfig } from '#config';
import { ConfiguredDestinations, NotificationJobs } from '#integrations';
import { NotificationStore, ReleaseStore, type Db } from '#persistence';

export interface NotificationsRuntime {
  /** notifications.yaml names at least one destination */
  enabled: boolean;
  concurrency: number;
  pollIntervalMs: number;
  jobs: NotificationJobs;
  store: NotificationStore;
  dispatch: DispatchNotifications;
  deliver: DeliverNotification;
  list: ListNotifications;
}

/**
 * The release store the engine writes through, nudging the dispatcher after each commit so
 * messages go out promptly. The nudge is fire-and-forget: it cannot delay or fail a step.
 */
export class NudgingReleaseStore extends ReleaseStore {
  constructor(
    db: Db,
    private readonly nudge: () => void,
  ) {
    super(db);
  }

  override async applyStep(...args: Parameters<ReleaseStore['applyStep']>): ReturnType<ReleaseStore['applyStep']> {
    const seq = await super.applyStep(...args);
    this.poke();
    return seq;
  }

  override async create(...args: Parameters<ReleaseStore['create']>): ReturnType<ReleaseStore['create']> {
    const result = await super.create(...args);
    if (result.kind === 'created') this.poke();
    return result;
  }

  override async promoteNextQueued(...args: Parameters<ReleaseStore['promoteNextQueued']>): ReturnType<ReleaseStore['promoteNextQueued']> {
    const next = await super.promoteNextQueued(...args);
    if (next) this.poke();
    return next;
  }

  private poke(): void {
    try {
      this.nudge();
    } catch {
      /* a notification problem never fails a rollout step */
    }
  }
}

/** The engine's release store: nudging when notifications are on, plain otherwise. */
export function releaseStoreFor(config: TidelineConfig, db: Db, jobs: NotificationJobs): ReleaseStore {
  return hasDestinations(config) ? new NudgingReleaseStore(db, () => jobs.nudge()) : new ReleaseStore(db);
}

function hasDestinations(config: TidelineConfig): boolean {
  const n = config.notifications;
  return !!n && (n.slack !== undefined || n.webhooks.length > 0);
}

export function buildNotifications(
  config: TidelineConfig,
  db: Db,
  releases: ReleaseStore,
  jobs: NotificationJobs,
  log: Logger,
): NotificationsRuntime {
  const n = config.notifications;
  const delivery = n?.delivery ?? DEFAULT_DELIVERY;
  const store = new NotificationStore(db);
  const destinations = new ConfiguredDestinations(n, log);
  return {
    enabled: hasDestinations(config),
    concurrency: delivery.concurrency,
    pollIntervalMs: delivery.pollIntervalMs,
    jobs,
    store,
    dispatch: new DispatchNotifications(store, destinations, jobs, log),
    deliver: new DeliverNotification(
      store,
      releases,
      destinations,
      jobs,
      {
        maxAttempts: delivery.maxAttempts,
        backoffMs: delivery.backoffMs,
        maxBackoffMs: delivery.maxBackoffMs,
        // longer than every call one attempt can make (history/replies check, parent, reply, update)
        leaseMs: delivery.timeoutMs * 5 + 2_000,
        dashboardUrl: n?.dashboardUrl ?? 'http://localhost:8080',
      },
      log,
    ),
    list: new ListNotifications(store),
  };
}
