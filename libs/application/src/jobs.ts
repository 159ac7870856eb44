/**
 * The job catalogue: every queue and every job's payload in one place. Job ids are
 * deterministic so an enqueue is deduplicated by BullMQ, and a handler must exist for each
 * job name exactly once (checked when the worker starts).
 */

export const QUEUES = {
  releases: 'tideline-releases',
  /** Slack and webhook deliveries: a slow or failing destination never holds up the releases queue. */
  notifications: 'tideline-notifications',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobPayloads {
  /** Take the next step of a release. `seq` is the release's tick_seq when it was scheduled; stale ticks do nothing. */
  'release.tick': { releaseId: string; seq: number };
  /** Find releases with no pending work and re-enqueue them; start queued releases whose turn was lost. */
  'release.sweep': { reason: 'schedule' | 'startup' };
  /** Turn new release events into notification deliveries; re-enqueue deliveries whose job was lost. */
  'notifications.dispatch': { reason: 'schedule' | 'startup' | 'nudge' };
  /** One send attempt of one notification delivery. */
  'notification.deliver': { deliveryId: string };
  /** Take the next step of a region drain or restore. `seq` is the operation's check_seq; stale jobs do nothing. */
  'region.operation': { operationId: string; seq: number };
  /** Take the next step of a drill (issue 12). `seq` is the drill's check_seq; stale jobs do nothing. */
  'drill.step': { drillId: string; seq: number };
}
export type JobName = keyof JobPayloads;
export type Job = { [N in JobName]: { name: N; data: JobPayloads[N] } }[JobName];

export const JOB_QUEUE: { [N in JobName]: QueueName } = {
  'release.tick': QUEUES.releases,
  'release.sweep': QUEUES.releases,
  'notifications.dispatch': QUEUES.notifications,
  'notification.deliver': QUEUES.notifications,
  'region.operation': QUEUES.releases,
  'drill.step': QUEUES.releases,
};

export const JOB_NAMES = Object.keys(JOB_QUEUE) as JobName[];

/** BullMQ custom ids must not contain ':'. */
export function tickJobId(releaseId: string, seq: number): string {
  return `tick_${releaseId}_${seq}`;
}

/** The dispatcher's nudge job: one waiting at a time. */
export const DISPATCH_NUDGE_JOB_ID = 'notifications-dispatch-nudge';

export function deliverJobId(deliveryId: string, tag: string): string {
  return `deliver_${deliveryId}_${tag}`;
}

export function regionOperationJobId(operationId: string, seq: number): string {
  return `regionop_${operationId}_${seq}`;
}

export function drillJobId(drillId: string, seq: number): string {
  return `drill_${drillId}_${seq}`;
}

export type JobHandler<N extends JobName> = (data: JobPayloads[N]) => Promise<unknown>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

export class JobCatalogueError extends Error {}

/** Build the handler table, refusing a duplicate or a missing handler. */
export class JobHandlerRegistry {
  private readonly handlers = new Map<JobName, JobHandler<JobName>>();

  /** The dispatcher of a complete table (`JobHandlers`: a missing handler is a compile error). */
  static of(handlers: JobHandlers): (job: Job) => Promise<unknown> {
    const registry = new JobHandlerRegistry();
    for (const name of JOB_NAMES) {
      const handler = handlers[name] as JobHandler<JobName> | undefined;
      if (handler) registry.register(name, handler); // one left out by a cast is named by seal()
    }
    return registry.seal();
  }

  register<N extends JobName>(name: N, handler: JobHandler<N>): this {
    if (!JOB_NAMES.includes(name)) throw new JobCatalogueError(`job ${name} is not in the catalogue`);
    if (this.handlers.has(name)) throw new JobCatalogueError(`job ${name} has two handlers`);
    this.handlers.set(name, handler as JobHandler<JobName>);
    return this;
  }

  /** Throws unless every catalogued job has a handler. */
  seal(): (job: Job) => Promise<unknown> {
    const missing = JOB_NAMES.filter((n) => !this.handlers.has(n));
    if (missing.length > 0) throw new JobCatalogueError(`no handler for job(s): ${missing.join(', ')}`);
    const table = new Map(this.handlers);
    return (job) => {
      const handler = table.get(job.name);
      if (!handler) throw new JobCatalogueError(`unknown job ${String(job.name)}`);
      return handler(job.data);
    };
  }
}
