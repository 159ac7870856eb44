/**
 * The BullMQ side of a worker process: one Worker per queue, dispatching through the job
 * catalogue (a missing handler is a compile error, `JobHandlers`, and is refused again at
 * start-up), plus the sweeper and the notification dispatcher's schedule, and the watchdog that
 * restores them (and every tick) from Postgres when Redis comes back empty.
 */
import { Worker } from 'bullmq';
import { JOB_NAMES, JobHandlerRegistry, QUEUES, type Job, type JobHandlers, type JobName } from '#application';
import { observeJobTimes } from '#integrations';
import type { WorkerContainer } from '#runtime';
import { startQueueWatchdog } from './queue-watchdog.js';

export interface RunningWorker {
  close(): Promise<void>;
}

/** One handler per job of the catalogue: a job without one does not compile. */
export function jobHandlers(c: WorkerContainer): JobHandlers {
  return {
    'release.tick': (data) => c.advanceRelease.execute(data),
    'release.sweep': async () => ({
      releases: await c.sweepReleases.execute(),
      regionOperations: await c.sweepRegionOperations.execute(),
      drills: await c.sweepDrills.execute(),
    }),
    'region.operation': (data) => c.runRegionOperation.execute(data),
    'drill.step': (data) => c.runDrillStep.execute(data),
    'notifications.dispatch': () => c.notifications.dispatch.execute(),
    'notification.deliver': (data) => c.notifications.deliver.execute(data),
  };
}

export async function startJobWorker(c: WorkerContainer): Promise<RunningWorker> {
  const dispatch = JobHandlerRegistry.of(jobHandlers(c));

  const processor = async (job: { name: string; data: unknown }) => {
    if (!JOB_NAMES.includes(job.name as JobName)) throw new Error(`unknown job ${job.name}`);
    return dispatch({ name: job.name, data: job.data } as Job);
  };
  const options = (concurrency: number) => ({
    // the container's client (BullMQ duplicates it for the blocking reads)
    connection: c.queues.connection,
    prefix: c.settings.queuePrefix,
    concurrency,
    // A killed worker's job goes back to the queue after lockDuration; our jobs are idempotent.
    lockDuration: c.settings.jobLockMs,
    stalledInterval: Math.max(500, Math.floor(c.settings.jobLockMs / 2)),
    maxStalledCount: 1_000,
  });
  const worker = new Worker(QUEUES.releases, processor, options(c.config.engine.workerConcurrency));
  // Notifications have their own queue and concurrency: a slow Slack never takes a release's slot.
  const notifier = new Worker(QUEUES.notifications, processor, options(c.notifications.concurrency));
  for (const w of [worker, notifier]) {
    w.on('failed', (job, err) =>
      c.log.warn({ jobId: job?.id, job: job?.name, err: err.message, attempts: job?.attemptsMade }, 'job failed'),
    );
    // Connection errors: one line per state change (RedisConnectionLog), never a stack per retry.
    c.redisLog.watch(`worker:${w.name}`, w);
    observeJobTimes(w, c.telemetry);
  }

  await c.queues.scheduleSweeper(c.config.engine.sweepIntervalMs);
  await c.sweepReleases.execute();
  await c.sweepRegionOperations.execute();
  await c.sweepDrills.execute();
  if (c.notifications.enabled) {
    await c.notifications.jobs.scheduleDispatcher(c.notifications.pollIntervalMs);
    await c.notifications.dispatch
      .execute()
      .catch((err: Error) => c.log.warn({ err: err.message }, 'notification dispatch failed at start-up'));
  } else {
    await c.notifications.jobs.unscheduleDispatcher();
  }
  const watchdog = startQueueWatchdog(c);
  c.log.info(
    {
      concurrency: c.config.engine.workerConcurrency,
      queue: QUEUES.releases,
      notifications: c.notifications.enabled ? c.notifications.concurrency : 'off',
    },
    'worker ready',
  );
  return {
    close: async () => {
      watchdog.stop();
      await Promise.all([worker.close(), notifier.close()]);
    },
  };
}
