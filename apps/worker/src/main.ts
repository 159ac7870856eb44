/**
 * Worker process: runs the jobs of the catalogue. Several workers may run at once; a
 * release is stepped by one of them at a time (its advisory lock), and any worker may be
 * killed at any moment (jobs are idempotent; BullMQ hands a stalled job to another worker).
 */
import { Worker } from 'bullmq';
import { JOB_NAMES, JobHandlerRegistry, QUEUES, type Job, type JobName } from '../../../libs/application/src/index.js';
import { redisConnection } from '../../../libs/integrations/src/index.js';
import { buildContainer } from '../../../libs/runtime/src/index.js';

const c = await buildContainer('tideline-worker');
const dispatch = new JobHandlerRegistry()
  .register('release.tick', (data) => c.advanceRelease.execute(data))
  .register('release.sweep', () => c.sweepReleases.execute())
  .seal();

const worker = new Worker(
  QUEUES.releases,
  async (job) => {
    if (!JOB_NAMES.includes(job.name as JobName)) throw new Error(`unknown job ${job.name}`);
    const outcome = await dispatch({ name: job.name, data: job.data } as Job);
    return outcome;
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
c.log.info({ concurrency: c.config.engine.workerConcurrency, queue: QUEUES.releases }, 'worker ready');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  c.log.info({ signal }, 'worker stopping');
  await worker.close();
  await c.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
