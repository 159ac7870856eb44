/** Job wait (due → taken) and run time per queue and job name, from BullMQ's own timestamps. */
import type { Job, Worker } from 'bullmq';
import type { TidelineMetrics } from '../metrics/tideline-metrics.js';

/**
 * When a job was due: added + its delay. BullMQ zeroes `delay` in the job's hash when it
 * promotes a delayed job to waiting, so the delay asked for is read from the job's options.
 */
export function jobDueAt(job: Pick<Job, 'timestamp' | 'delay' | 'opts'>): number {
  return job.timestamp + (job.opts?.delay ?? job.delay ?? 0);
}

export function observeJobTimes(worker: Worker, metrics: TidelineMetrics): void {
  const record = (job: Job | undefined, outcome: 'completed' | 'failed') => {
    if (!job?.processedOn) return;
    const labels = { queue: worker.name, job: job.name };
    const due = jobDueAt(job);
    // Only a first attempt's wait means queueing; a retry's includes the earlier attempts and the backoff.
    if (job.attemptsMade <= 1) metrics.jobWait.observe(labels, Math.max(0, job.processedOn - due) / 1000);
    const finished = job.finishedOn ?? Date.now();
    metrics.jobRun.observe({ ...labels, outcome }, Math.max(0, finished - job.processedOn) / 1000);
  };
  worker.on('completed', (job) => record(job, 'completed'));
  worker.on('failed', (job) => record(job, 'failed'));
}
