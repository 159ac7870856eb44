/**
 * BullMQ side of notifications: delivery jobs (one id per delivery and attempt, so an
 * enqueue that is already waiting is a no-op), the dispatcher's schedule, and its nudge.
 */
import { DISPATCH_NUDGE_JOB_ID, QUEUES, deliverJobId, type DeliveryScheduler } from '#application';
import type { JobQueues } from './bullmq-jobs.js';

export class NotificationJobs implements DeliveryScheduler {
  private nudging: Promise<void> | null = null;

  constructor(private readonly queues: JobQueues) {}

  enqueueDelivery(deliveryId: string, tag: string, delayMs: number): Promise<void> {
    return this.queues.add(
      'notification.deliver',
      { deliveryId },
      { jobId: deliverJobId(deliveryId, tag), delay: Math.max(0, Math.round(delayMs)) },
    );
  }

  /** Run the dispatcher every `everyMs` (one schedule across all workers). */
  async scheduleDispatcher(everyMs: number): Promise<void> {
    await this.queues
      .queue(QUEUES.notifications)
      .upsertJobScheduler('notifications-dispatcher', { every: everyMs }, { name: 'notifications.dispatch', data: { reason: 'schedule' } });
  }

  /** Notifications are off: stop a schedule left by an earlier configuration. */
  async unscheduleDispatcher(): Promise<void> {
    await this.queues.queue(QUEUES.notifications).removeJobScheduler('notifications-dispatcher');
  }

  /**
   * Ask for a dispatch soon. Fire and forget: never awaited by the engine, never throws, at
   * most one enqueue in flight per process (the job id keeps one waiting in Redis).
   */
  nudge(): void {
    if (this.nudging) return;
    this.nudging = this.queues
      .add(
        'notifications.dispatch',
        { reason: 'nudge' },
        { jobId: DISPATCH_NUDGE_JOB_ID, removeOnComplete: true, removeOnFail: true },
        2_000,
      )
      .catch(() => undefined)
      .finally(() => {
        this.nudging = null;
      });
  }
}
