/**
 * One send attempt of one delivery (`notification.deliver` job). The delivery is claimed in
 * Postgres (status `sending`, attempt counted, leased) before anything is sent, and marked
 * `sent` after; deliveries of one (release, destination) go strictly in event order. A failure
 * is retried with exponential backoff (or after the destination's Retry-After) by a delayed
 * job, and dead-lettered after `maxAttempts` failed attempts. No database connection is held
 * while Slack or a webhook is called.
 *
 * The one window that cannot be closed: the process dies after the destination accepted a
 * message and before `sent` (or, in Slack, the reply's ts) was recorded. For Slack threads a
 * retry first looks for the message by the delivery id in its metadata and does not post it
 * again if found; an incoming webhook or a generic webhook cannot be asked, so there the
 * message may arrive twice (webhooks carry the delivery id for the receiver to drop it).
 */
import type { DeliveryRecord, NotificationStore, ReleaseRecord, ReleaseStore } from '#persistence';
import { buildMessage, summarizeRelease, type NotificationMessage } from '../notifications/message.js';
import {
  DeliveryError,
  UnknownDestinationError,
  type DeliveryScheduler,
  type NotificationDestination,
  type NotificationDestinations,
  type ThreadedChat,
} from '../notifications/ports.js';
import type { Logger } from '../ports.js';
import { describeError } from '../errors.js';

export interface DeliverySettings {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** how long a claimed delivery is reserved for its sender (longer than all its calls can take) */
  leaseMs: number;
  dashboardUrl: string;
}

export type DeliverOutcome = 'sent' | 'retry' | 'dead' | 'done' | 'blocked' | 'later';

/** Exponential backoff with ±20% jitter: backoff × 2^(failures-1), never above maxBackoffMs. */
export function backoffDelay(failures: number, backoffMs: number, maxBackoffMs: number, random = Math.random): number {
  const base = Math.min(maxBackoffMs, backoffMs * 2 ** Math.max(0, Math.min(30, failures - 1)));
  return Math.min(maxBackoffMs, Math.round(base * (0.8 + 0.4 * random())));
}

export class DeliverNotification {
  constructor(
    private readonly store: NotificationStore,
    private readonly releases: ReleaseStore,
    private readonly destinations: NotificationDestinations,
    private readonly scheduler: DeliveryScheduler,
    private readonly settings: DeliverySettings,
    private readonly log: Logger,
  ) {}

  async execute(job: { deliveryId: string }): Promise<DeliverOutcome> {
    const claim = await this.store.claim(job.deliveryId, this.settings.leaseMs);
    if (claim.kind === 'done' || claim.kind === 'blocked') return claim.kind; // a blocked one is enqueued when the one before it ends
    if (claim.kind === 'later') {
      await this.scheduler.enqueueDelivery(job.deliveryId, `later${claim.at.getTime()}`, claim.at.getTime() - Date.now());
      return 'later';
    }
    const d = claim.delivery;
    try {
      const externalId = await this.send(d);
      await this.store.markSent(d.id, externalId);
      this.log.info(
        { deliveryId: d.id, releaseId: d.releaseId, destination: d.destination, event: d.eventType, attempts: d.attempts },
        'notification sent',
      );
      await this.next(d);
      return 'sent';
    } catch (err) {
      return this.failed(d, err);
    }
  }

  private async failed(d: DeliveryRecord, err: unknown): Promise<DeliverOutcome> {
    const e = err instanceof DeliveryError ? err : new DeliveryError(describeError(err), !(err instanceof UnknownDestinationError));
    const failures = d.failures + (e.rateLimited ? 0 : 1);
    const log = {
      deliveryId: d.id,
      releaseId: d.releaseId,
      destination: d.destination,
      event: d.eventType,
      attempts: d.attempts,
      failures,
      err: e.message,
    };
    if (e.retryable && failures < this.settings.maxAttempts) {
      const delay = e.retryAfterMs ?? backoffDelay(failures, this.settings.backoffMs, this.settings.maxBackoffMs);
      await this.store.markRetry(d.id, e.message, delay, !e.rateLimited);
      await this.scheduler.enqueueDelivery(d.id, String(d.attempts), delay);
      this.log.warn({ ...log, retryInMs: delay }, e.rateLimited ? 'notification rate limited' : 'notification failed; will retry');
      return 'retry';
    }
    await this.store.markDead(d.id, e.message);
    this.log.error(log, 'notification dead-lettered');
    await this.next(d);
    return 'dead';
  }

  /** Let the next delivery of the same thread go. */
  private async next(d: DeliveryRecord): Promise<void> {
    const next = await this.store.nextInThread(d);
    if (next) await this.scheduler.enqueueDelivery(next.id, String(next.attempts), 0);
  }

  /** Send the message; returns the Slack ts of a threaded reply, else null. */
  private async send(d: DeliveryRecord): Promise<string | null> {
    const dest = this.destinations.get(d.destination);
    const [event, release] = await Promise.all([this.store.event(d.eventId), this.releases.get(d.releaseId)]);
    if (!event || !release) throw new DeliveryError(`event ${d.eventId} or release ${d.releaseId} not found`, false);
    const message = buildMessage(event, release, this.settings.dashboardUrl);
    if (!message) throw new DeliveryError(`event type ${event.type} is not notified`, false);
    if (dest.channel.kind === 'sink') {
      await dest.channel.send(message, d.id);
      return null;
    }
    return this.sendThreaded(dest, dest.channel, d, release, message);
  }

  private async sendThreaded(
    dest: NotificationDestination,
    chat: ThreadedChat,
    d: DeliveryRecord,
    release: ReleaseRecord,
    message: NotificationMessage,
  ): Promise<string> {
    const summary = summarizeRelease(release, this.settings.dashboardUrl);
    let thread = await this.store.thread(d.releaseId, dest.name);
    let parentTs = thread?.parentTs ?? null;
    let justPosted = false;
    if (!thread) {
      const channel = chat.channelFor(release.service);
      if (!channel) throw new DeliveryError(`no Slack channel for service ${release.service}`, false);
      await this.store.openThread(d.releaseId, dest.name, channel);
      thread = (await this.store.thread(d.releaseId, dest.name))!;
    } else if (!parentTs) {
      // an earlier attempt may have posted the parent and died before recording it
      parentTs = await chat.findParent(thread.channel, d.releaseId, thread.createdAt);
    }
    let channel = thread.channel;
    if (!parentTs) {
      const posted = await chat.postParent(channel, summary);
      ({ ts: parentTs, channel } = posted);
      justPosted = true;
    }
    if (!thread.parentTs) await this.store.setParent(d.releaseId, dest.name, parentTs, channel);

    let replyTs = d.externalId;
    // an earlier attempt may have been accepted by Slack without us recording it
    if (!replyTs && d.attempts > 1) replyTs = await chat.findReply(channel, parentTs, d.id);
    if (!replyTs) replyTs = await chat.postReply(channel, parentTs, message, d.id);
    await this.store.markPosted(d.id, replyTs);
    if (!justPosted) {
      try {
        await chat.updateParent(channel, parentTs, summary);
      } catch (err) {
        if (err instanceof DeliveryError && err.retryable) throw err; // retried; the reply is not posted again
        this.log.warn({ deliveryId: d.id, err: describeError(err) }, 'could not update the parent message');
      }
    }
    return replyTs;
  }
}
