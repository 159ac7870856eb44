/**
 * Wiring of Slack and webhook notifications (notifications.yaml): the engine's nudge after each
 * commit, the destinations, the dispatcher and the delivery use case. Without the file every part
 * exists but does nothing (the worker's job handlers stay complete).
 */
import { DeliverNotification, DispatchNotifications, ListNotifications, type Logger } from '#application';
import { DEFAULT_DELIVERY, type TidelineConfig } from '#config';
import { ConfiguredDestinations, type NotificationJobs } from '#integrations';
import { NotificationStore, type Db, type ReleaseStore } from '#persistence';

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
 * With notifications on, every committed release change (a step, a create, a start from the
 * queue) nudges the dispatcher so messages go out promptly. The nudge comes after the commit
 * and is fire-and-forget: it cannot delay or fail a step; a failure is logged.
 */
export function nudgeAfterCommit(config: TidelineConfig, releases: ReleaseStore, jobs: NotificationJobs, log: Logger): void {
  if (!hasDestinations(config)) return;
  releases.onCommitted(
    () => jobs.nudge(),
    (err) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not nudge the notification dispatcher'),
  );
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
