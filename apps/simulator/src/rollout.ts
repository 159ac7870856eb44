/**
 * Rollout progression of a Deployment, computed from the clock on every read (no timers).
 *
 * Model (RollingUpdate with maxSurge 1, maxUnavailable 0, minReadySeconds 0):
 * a template change at t0 is observed by the "controller" at t0 + min(50ms, stepMs); from then
 * on one new-template pod becomes ready every stepMs while one old pod is removed. A rollout
 * to a bad image gets one new pod that never becomes ready, and Progressing turns False with
 * reason ProgressDeadlineExceeded once spec.progressDeadlineSeconds pass without progress.
 */
import type { JsonObject } from './json.js';

export interface Condition {
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastUpdateTime: number;
  lastTransitionTime: number;
}

export interface DeploymentStatus {
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  /** Ready pods running the current template / an older template (not part of the k8s API). */
  currentReadyPods: number;
  previousReadyPods: number;
  /** The rollout of the latest generation is finished (what `kubectl rollout status` waits for). */
  complete: boolean;
  available: Condition;
  progressing: Condition;
}

/** One template revision being rolled out. */
export interface Rollout {
  revision: number;
  replicaSetName: string;
  /** When the template changed (the patch time). */
  startedAt: number;
  /** When the new ReplicaSet was created; pods become ready one per stepMs after this. */
  observedAt: number;
  /** Ready pods of older templates when the rollout started. */
  oldPods: number;
  /** Ready pods of this template when the rollout (re)started (non-zero after a scale). */
  baseReady: number;
  bad: boolean;
  progressingSince: number;
  availableAtObserve: boolean;
  availableSince: number;
}

/** The generation the controller will observe at `observedAt`; until then reads return `before`. */
export interface Observation {
  generation: number;
  observedAt: number;
  before: DeploymentStatus;
}

export interface RolloutTiming {
  stepMs: number;
  desired: number;
  progressDeadlineSeconds: number;
}

export function observationDelay(stepMs: number): number {
  return Math.min(50, Math.max(0, stepMs));
}

/**
 * Starts a rollout at `now`, continuing condition history from the status just before.
 * With `sameTemplate` (a spec change that is not a template change, e.g. a scale) the pods of
 * the current template that are ready stay ready and the rollout continues from there.
 */
export function startRollout(args: {
  revision: number;
  replicaSetName: string;
  now: number;
  /** When the controller observes the change (see observationDelay). */
  observedAt: number;
  desired: number;
  bad: boolean;
  before: DeploymentStatus | undefined;
  sameTemplate?: boolean;
}): Rollout {
  const observedAt = args.observedAt;
  const before = args.before;
  const baseReady = args.sameTemplate ? Math.min(args.desired, before?.currentReadyPods ?? 0) : 0;
  const oldPods = Math.min(args.desired - baseReady, (args.sameTemplate ? before?.previousReadyPods : before?.readyReplicas) ?? 0);
  const availableAtObserve = baseReady + oldPods >= args.desired;
  const progressingSince = before && before.progressing.status === 'True' ? before.progressing.lastTransitionTime : observedAt;
  const wasAvailable = before ? before.available.status === 'True' : false;
  const availableSince = before && wasAvailable === availableAtObserve ? before.available.lastTransitionTime : observedAt;
  return {
    revision: args.revision,
    replicaSetName: args.replicaSetName,
    startedAt: args.now,
    observedAt,
    oldPods,
    baseReady,
    bad: args.bad,
    progressingSince,
    availableAtObserve,
    availableSince,
  };
}

/** A deployment that has been fully rolled out since `readyAt`. */
export function settledRollout(args: {
  revision: number;
  replicaSetName: string;
  readyAt: number;
  stepMs: number;
  desired: number;
}): Rollout {
  const observedAt = args.readyAt - Math.max(0, args.stepMs) * args.desired;
  return {
    revision: args.revision,
    replicaSetName: args.replicaSetName,
    startedAt: observedAt,
    observedAt,
    oldPods: 0,
    baseReady: 0,
    bad: false,
    progressingSince: observedAt,
    availableAtObserve: args.desired === 0,
    availableSince: observedAt,
  };
}

export function computeStatus(rollout: Rollout, observation: Observation, timing: RolloutTiming, now: number): DeploymentStatus {
  if (now < observation.observedAt) return observation.before;
  const { stepMs, desired } = timing;
  const t0 = rollout.observedAt;
  let newReady: number;
  const base = Math.min(desired, rollout.baseReady);
  if (rollout.bad) newReady = base;
  else if (stepMs <= 0) newReady = desired;
  else newReady = Math.max(0, Math.min(desired, base + Math.floor((now - t0) / stepMs)));
  const lastProgress = stepMs <= 0 ? t0 : t0 + (newReady - base) * stepMs;
  const complete = newReady >= desired;
  const updated = complete ? desired : Math.min(desired, newReady + 1);
  const oldCount = Math.max(0, Math.min(rollout.oldPods, desired - newReady));
  const ready = newReady + oldCount;

  const rs = `ReplicaSet "${rollout.replicaSetName}"`;
  const deadlineMs = timing.progressDeadlineSeconds * 1000;
  let progressing: Condition;
  if (complete) {
    progressing = cond('True', 'NewReplicaSetAvailable', `${rs} has successfully progressed.`, lastProgress, rollout.progressingSince);
  } else if (now - lastProgress >= deadlineMs) {
    const at = lastProgress + deadlineMs;
    progressing = cond('False', 'ProgressDeadlineExceeded', `${rs} has timed out progressing.`, at, at);
  } else {
    progressing = cond('True', 'ReplicaSetUpdated', `${rs} is progressing.`, lastProgress, rollout.progressingSince);
  }

  const isAvailable = ready >= desired;
  let availableSince = rollout.availableSince;
  if (isAvailable && !rollout.availableAtObserve) {
    availableSince = stepMs <= 0 ? t0 : t0 + Math.max(0, desired - rollout.oldPods - base) * stepMs;
  }
  const available = isAvailable
    ? cond('True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', availableSince, availableSince)
    : cond('False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', availableSince, availableSince);

  return {
    observedGeneration: observation.generation,
    replicas: updated + oldCount,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: ready,
    unavailableReplicas: Math.max(0, desired - ready),
    currentReadyPods: newReady,
    previousReadyPods: oldCount,
    complete,
    available,
    progressing,
  };
}

function cond(status: 'True' | 'False', reason: string, message: string, lastUpdateTime: number, lastTransitionTime: number): Condition {
  return { status, reason, message, lastUpdateTime, lastTransitionTime };
}

/** Kubernetes timestamps (metav1.Time) have second precision. */
export function k8sTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The `status` block of an apps/v1 Deployment; zero counters are omitted like the API server does. */
export function renderStatus(status: DeploymentStatus): JsonObject {
  const out: JsonObject = {};
  if (status.observedGeneration) out['observedGeneration'] = status.observedGeneration;
  const counters = ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const;
  for (const key of counters) if (status[key] > 0) out[key] = status[key];
  out['conditions'] = [renderCondition('Available', status.available), renderCondition('Progressing', status.progressing)];
  return out;
}

function renderCondition(type: string, c: Condition): JsonObject {
  return {
    type,
    status: c.status,
    lastUpdateTime: k8sTime(c.lastUpdateTime),
    lastTransitionTime: k8sTime(c.lastTransitionTime),
    reason: c.reason,
    message: c.message,
  };
}
