/** What the honest floor's runner (floor-k8s.ts) and its worker processes (floor-k8s-worker.ts) agree on. */
import type { JobsOptions } from 'bullmq';

export const FLOOR_K8S_QUEUE = 'bench-floor-k8s';
/** The simulator namespace of the floor's Deployments (the engine's are in `bench`). */
export const FLOOR_K8S_NAMESPACE = 'bench-floor';
/** As libs/integrations/src/queue/bullmq-jobs.ts DEFAULTS. */
export const FLOOR_K8S_JOB_OPTIONS: JobsOptions = {
  attempts: 25,
  backoff: { type: 'exponential', delay: 250 },
  removeOnComplete: true,
  removeOnFail: true,
};

export interface FloorK8sJob {
  row: number;
  /** 1-based: the region index + 1 */
  step: number;
}

export const floorK8sJobId = (row: number, step: number) => `floork8s_${row}_${step}`;
