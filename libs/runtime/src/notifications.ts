/**
 * Wiring of Slack and webhook notifications (notifications.yaml): the engine's nudge after each
 * commit, and the worker's dispatcher and delivery use case. Without the file every part
 * exists but does nothing (the worker's job handlers stay complete).
 */
import { DeliverNotification, DispatchNotifications, type Logger } from '#application';
import { DEFAULT_DELIVERY, type TidelineConfig } from '#config';
import { ConfiguredDestinations, type NotificationJobs } from '#integrations';
import type { NotificationStore, ReleaseStore } from '#persistence';

export interface NotificationsRuntime {
  /** notifications.yaml names at least one destination */
  enabled: boolean;
  concurrency: number;
  pollIntervalMs: number;
  jobs: NotificationJobs;
  dispatch: DispatchNotifications;
  deliver: DeliverNotification;
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

/** The worker's side: the destinations (Slack and webhook clients), the dispatcher and the delivery use case. */
export function buildNotifications(
  config: TidelineConfig,
  store: NotificationStore,
  releases: ReleaseStore,
  jobs: NotificationJobs,
  log: Logger,
): NotificationsRuntime {
  const n = config.notifications;
  const delivery = n?.delivery ?? DEFAULT_DELIVERY;
  const destinations = new ConfiguredDestinations(n, log);
  return {
    enabled: hasDestinations(config),
    concurrency: delivery.concurrency,
    pollIntervalMs: delivery.pollIntervalMs,
    jobs,
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
  };
}
