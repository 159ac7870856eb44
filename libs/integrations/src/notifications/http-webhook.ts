/**
 * Generic webhooks: the event as JSON, POSTed with an HMAC-SHA256 signature (signature.ts).
 * 2xx is delivered; 408, 425, 429 (with Retry-After) and 5xx are retried; other 4xx are final.
 */
import { DeliveryError, type MessageSink, type NotificationMessage } from '#application';
import type { WebhookConfig } from '#config';
import { describeRequestFailure } from './slack-errors.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signTidelineWebhook, TIMESTAMP_HEADER } from './signature.js';

/** The JSON body of a webhook request (documented in the README). */
export function webhookBody(m: NotificationMessage, deliveryId: string) {
  const r = m.release;
  return {
    deliveryId,
    type: m.eventType,
    severity: m.severity,
    title: m.title,
    text: m.text,
    event: {
      id: m.eventId,
      type: m.eventType,
      region: m.region,
      stage: m.stage,
      fromState: m.fromState,
      toState: m.toState,
      actor: m.actor,
      reason: m.reason,
      data: m.data,
      at: m.at.toISOString(),
    },
    fields: m.fields,
    release: {
      id: r.id,
      service: r.service,
      version: r.version,
      image: r.image,
      releaseNumber: r.releaseNumber,
      state: r.state,
      stateReason: r.stateReason,
      plan: r.plan,
      currentStage: r.currentStage,
      url: r.url,
    },
  };
}

const RETRY_STATUSES = new Set([408, 425, 429]);

export class HttpWebhookSink implements MessageSink {
  readonly kind = 'sink' as const;

  constructor(
    private readonly config: WebhookConfig,
    private readonly timeoutMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async send(message: NotificationMessage, deliveryId: string): Promise<void> {
    const body = JSON.stringify(webhookBody(message, deliveryId));
    const timestamp = Math.floor(this.nowMs() / 1000);
    let res: Response;
    try {
      res = await fetch(this.config.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'tideline-webhooks/1',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signTidelineWebhook(this.config.secret.reveal(), timestamp, body),
          [DELIVERY_HEADER]: deliveryId,
          [EVENT_HEADER]: message.eventType,
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new DeliveryError(`webhook ${this.config.name}: ${describeRequestFailure(err)}`, true);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return;
    const what = `webhook ${this.config.name}: HTTP ${res.status}`;
    if (res.status === 429) {
      const seconds = Number.parseInt(res.headers.get('retry-after') ?? '', 10);
      throw new DeliveryError(what, true, (Number.isFinite(seconds) && seconds >= 0 ? seconds : 1) * 1000);
    }
    throw new DeliveryError(what, res.status >= 500 || RETRY_STATUSES.has(res.status));
  }
}
