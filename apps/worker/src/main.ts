/**
 * Worker process: runs the jobs of the catalogue. Several workers may run at once; a
 * release is stepped by one of them at a time (its advisory lock), and any worker may be
 * killed at any moment (jobs are idempotent; BullMQ hands a stalled job to another worker).
 */
import { buildContainerOrExit } from '../../../libs/runtime/src/index.js';
import { startJobWorker } from './worker-app.js';

const c = await buildContainerOrExit('tideline-worker', 'worker');
const worker = await startJobWorker(c);

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
