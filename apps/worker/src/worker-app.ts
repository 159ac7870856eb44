/**
 * The BullMQ side of a worker process: one Worker per queue, dispatching through the job
 * catalogue (a missing or duplicate handler fails here, at start-up), plus the sweeper.
 */
import { Worker } from 'bullmq';
import { JOB_NAMES, JobHandlerRegistry, QUEUES, type Job, type JobName } from '../../../libs/application/src/index.js';
import { redisConnection } from '../../../libs/integrations/src/index.js';
import type { Container } from '../../../libs/runtime/src/index.js';

export interface RunningWorker {
  close(): Promise<void>;
}

export async function startJobWorker(c: Container): Promise<RunningWorker> {
  const dispatch = new JobHandlerRegistry()
    .register('release.tick', (data) => c.advanceRelease.execute(data))
    .register('release.sweep', async () => ({ releases: await c.sweepReleases.execute(), regionOperations: await c.sweepRegionOperations.execute() }))
    .register('region.operation', (data) => c.runRegionOperation.execute(data))
    .seal();

  const worker = new Worker(
    QUEUES.releases,
    async (job) => {
      if (!JOB_NAMES.includes(job.name as JobName)) throw new Error(`unknown job ${job.name}`);
      return dispatch({ name: job.name, data: job.data } as Job);
    },
    {
      connection: redisConnection(c.settings.redisUrl),
      prefix: c.settings.queuePrefix,
      concurrency: c.config.engine.workerConcurrency,
      // A killed worker's job goes back to the queue after lockDuration; our jobs are idempotent.
      lockDuration: c.settings.jobLockMs,
      stalledInterval: Math.max(500, Math.floor(c.settings.jobLockMs / 2)),
      maxStalledCount: 1_000,
    },
  );
  worker.on('failed', (job, err) => c.log.warn({ jobId: job?.id, job: job?.name, err: err.message, attempts: job?.attemptsMade }, 'job failed'));
  worker.on('error', (err) => c.log.error({ err: err.message }, 'worker error'));

  await c.queues.scheduleSweeper(c.config.engine.sweepIntervalMs);
  await c.sweepReleases.execute();
  await c.sweepRegionOperations.execute();
  c.log.info({ concurrency: c.config.engine.workerConcurrency, queue: QUEUES.releases }, 'worker ready');
  return { close: () => worker.close() };
}
