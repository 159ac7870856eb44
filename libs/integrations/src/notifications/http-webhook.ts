/**
 * Generic webhooks: the event as JSON, POSTed with an HMAC-SHA256 signature (signature.ts).
 * 2xx is delivered; 408, 425, 429 (with Retry-After) and 5xx are retried; other 4xx are final.
 * Redirects are not followed (the signed request goes only where it was configured to go): one
 * is a failed request, retried. Messages name the webhook, never its URL.
 */
import { DeliveryError, type MessageSink, type NotificationMessage } from '#application';
import type { WebhookConfig } from '#config';
import { HttpClient } from '../http/client.js';
import { httpFailureReason } from '../http/failure.js';
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
/** Answers that would have been redirects (fetch's `redirect: 'error'` made them failed requests). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class HttpWebhookSink implements MessageSink {
  readonly kind = 'sink' as const;
  readonly #http: HttpClient;

  constructor(
    private readonly config: WebhookConfig,
    private readonly timeoutMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.#http = new HttpClient({ timeoutMs, maxRedirects: 0 });
  }

  async send(message: NotificationMessage, deliveryId: string): Promise<void> {
    const body = JSON.stringify(webhookBody(message, deliveryId));
    const timestamp = Math.floor(this.nowMs() / 1000);
    const res = await this.#http.send({
      method: 'POST',
      url: this.config.url,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'tideline-webhooks/1',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signTidelineWebhook(this.config.secret.reveal(), timestamp, body),
        [DELIVERY_HEADER]: deliveryId,
        [EVENT_HEADER]: message.eventType,
      },
      body,
      timeoutMs: this.timeoutMs,
    });
    if (!res.ok) throw new DeliveryError(`webhook ${this.config.name}: ${httpFailureReason(res.failure)}`, true);
    if (REDIRECT_STATUSES.has(res.status)) throw new DeliveryError(`webhook ${this.config.name}: request failed`, true);
    if (res.status >= 200 && res.status < 300) return;
    const what = `webhook ${this.config.name}: HTTP ${res.status}`;
    if (res.status === 429) {
      const seconds = Number.parseInt(res.header('retry-after') ?? '', 10);
      throw new DeliveryError(what, true, (Number.isFinite(seconds) && seconds >= 0 ? seconds : 1) * 1000);
    }
    throw new DeliveryError(what, res.status >= 500 || RETRY_STATUSES.has(res.status));
  }
}
