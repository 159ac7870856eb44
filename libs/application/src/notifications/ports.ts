/**
 * What delivery needs from Slack and webhooks. Implementations live in
 * libs/integrations/src/notifications (one file each) and throw DeliveryError.
 */
import type { Severity } from '#domain';
import type { NotificationMessage, ReleaseSummary } from './message.js';

/** A failed call to a destination. `retryAfterMs` is set when it said how long to wait (HTTP 429 Retry-After). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }

  get rateLimited(): boolean {
    return this.retryAfterMs !== undefined;
  }
}

/** Slack with a bot token: a parent message per release, each event a reply in its thread. */
export interface ThreadedChat {
  readonly kind: 'thread';
  /** The channel a service posts to, or null when it posts nowhere. */
  channelFor(service: string): string | null;
  /**
   * Post the parent message; returns its ts and the channel's id (replies and updates use the
   * id). The message carries the release id in its metadata.
   */
  postParent(channel: string, release: ReleaseSummary): Promise<{ ts: string; channel: string }>;
  /** A parent posted since `since` for this release (found by its metadata), if any. */
  findParent(channel: string, releaseId: string, since: Date): Promise<string | null>;
  /** Post a reply in the thread; returns its ts. The reply carries the delivery id in its metadata. */
  postReply(channel: string, parentTs: string, message: NotificationMessage, deliveryId: string): Promise<string>;
  /** The reply already posted for this delivery (found by its metadata), if any. */
  findReply(channel: string, parentTs: string, deliveryId: string): Promise<string | null>;
  /** Show the release's current state in the parent message. */
  updateParent(channel: string, parentTs: string, release: ReleaseSummary): Promise<void>;
}

/** A destination that takes one standalone message per event (Slack incoming webhook, generic webhook). */
export interface MessageSink {
  readonly kind: 'sink';
  send(message: NotificationMessage, deliveryId: string): Promise<void>;
}

export interface NotificationFilter {
  minSeverity: Severity;
  events?: readonly string[];
}

export interface NotificationDestination {
  /** `slack` or `webhook:<name>`: the name deliveries are recorded under */
  readonly name: string;
  readonly filter: NotificationFilter;
  /** Whether a service's events go here at all (Slack routing). */
  accepts(service: string): boolean;
  readonly channel: ThreadedChat | MessageSink;
}

export class UnknownDestinationError extends Error {
  constructor(name: string) {
    super(`no notification destination named ${name} is configured`);
    this.name = 'UnknownDestinationError';
  }
}

/** The configured destinations by name. */
export interface NotificationDestinations {
  all(): readonly NotificationDestination[];
  /** Throws UnknownDestinationError. */
  get(name: string): NotificationDestination;
}

/** Enqueues a `notification.deliver` job (deterministic id per delivery and tag). */
export interface DeliveryScheduler {
  enqueueDelivery(deliveryId: string, tag: string, delayMs: number): Promise<void>;
}
