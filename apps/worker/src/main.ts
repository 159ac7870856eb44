/**
 * Worker process: runs the jobs of the catalogue. Several workers may run at once; a
 * release is stepped by one of them at a time (its advisory lock), and any worker may be
 * killed at any moment (jobs are idempotent; BullMQ hands a stalled job to another worker).
 */
import { buildContainerOrExit, startMetricsServer } from '#runtime';
import { startJobWorker } from './worker-app.js';

const c = await buildContainerOrExit('tideline-worker', 'worker');
// /metrics, /healthz, /readyz on METRICS_PORT (default 9464; 0 = off); up before the queues, so /readyz can say Redis is down
const probes = await startMetricsServer(c, c.settings.metricsPort, c.settings.metricsHost);
const worker = await startJobWorker(c);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  c.log.info({ signal }, 'worker stopping');
  await worker.close();
  await probes.close();
  await c.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
