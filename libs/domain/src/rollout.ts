/** Judging a Kubernetes rollout (PRODUCT.md "Deploying a region"). */

export interface RolloutObservation {
  generation: number;
  observedGeneration: number;
  desiredReplicas: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** Progressing condition False with reason ProgressDeadlineExceeded */
  progressDeadlineExceeded: boolean;
  /** image the workload's container runs now (to notice someone else changing it) */
  image: string | undefined;
  message?: string;
}

export type RolloutVerdict = { kind: 'complete' } | { kind: 'progressing'; detail: string } | { kind: 'failed'; reason: string };

/**
 * complete: observedGeneration ≥ generation and updated = ready = available = desired, with
 * no old replicas left. failed: the controller reports ProgressDeadlineExceeded, the
 * deadline measured from our patch has passed, or the image is not the one we asked for.
 */
export function judgeRollout(
  obs: RolloutObservation,
  expectedImage: string,
  startedAtMs: number,
  deadlineMs: number,
  nowMs: number,
): RolloutVerdict {
  if (obs.image !== undefined && obs.image !== expectedImage) {
    return { kind: 'failed', reason: `workload runs ${obs.image}, expected ${expectedImage} (changed by someone else?)` };
  }
  const d = obs.desiredReplicas;
  const observed = obs.observedGeneration >= obs.generation;
  if (observed && obs.updatedReplicas === d && obs.readyReplicas === d && obs.availableReplicas === d && obs.replicas === d) {
    return { kind: 'complete' };
  }
  if (observed && obs.progressDeadlineExceeded) {
    return { kind: 'failed', reason: `rollout exceeded its progress deadline (${obs.message ?? 'ProgressDeadlineExceeded'})` };
  }
  if (nowMs - startedAtMs > deadlineMs) {
    return {
      kind: 'failed',
      reason: `rollout did not complete within ${Math.round(deadlineMs / 1000)}s (updated ${obs.updatedReplicas}, ready ${obs.readyReplicas}, available ${obs.availableReplicas} of ${d})`,
    };
  }
  return {
    kind: 'progressing',
    detail: observed
      ? `updated ${obs.updatedReplicas}, ready ${obs.readyReplicas}, available ${obs.availableReplicas} of ${d}`
      : `waiting for the controller to observe generation ${obs.generation}`,
  };
}
