/**
 * The user's own global load balancer automation, behind a webhook.
 *
 * setWeight: POST <url> with `{"region","weight","action","requestId"}`; action is "drain"
 * (weight 0), "restore" (100) or "set". With a secret the request carries
 * X-Tideline-Timestamp and X-Tideline-Signature (see webhook-signature.ts); the body is
 * signed exactly as sent. Success = any 2xx.
 * getWeight: GET <url>?region=<r> (signed over an empty body); `{"weight": n}` → n. A 2xx
 * without a weight, 404, 405 or 501 → null (the webhook cannot tell); other answers throw.
 */
import { randomUUID } from 'node:crypto';
import type { TrafficProvider } from '#application';
import { HttpClient } from '../http/client.js';
import { call, checkWeight, expect2xx, parseJson, weightField } from './http.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../notifications/signature.js';
import { REQUEST_ID_HEADER, signPayload } from './webhook-signature.js';

export { verifySignature, signPayload } from './webhook-signature.js';

export interface WebhookTrafficProviderOptions {
  url: string;
  /** HMAC key; never logged */
  secret?: string;
  timeoutMs: number;
  /** for tests */
  nowMs?: () => number;
}

export type WebhookAction = 'drain' | 'restore' | 'set';

const WHAT = 'traffic webhook';

export function webhookAction(weight: number): WebhookAction {
  return weight === 0 ? 'drain' : weight === 100 ? 'restore' : 'set';
}

export class WebhookTrafficProvider implements TrafficProvider {
  readonly #url: string;
  readonly #secret: string | undefined;
  readonly #timeoutMs: number;
  readonly #http: HttpClient;
  readonly #now: () => number;

  constructor(opts: WebhookTrafficProviderOptions) {
    this.#url = opts.url;
    this.#secret = opts.secret;
    this.#timeoutMs = opts.timeoutMs;
    this.#http = new HttpClient({ timeoutMs: opts.timeoutMs });
    this.#now = opts.nowMs ?? Date.now;
  }

  async setWeight(region: string, weight: number): Promise<void> {
    checkWeight(weight);
    const requestId = randomUUID();
    const body = JSON.stringify({ region, weight, action: webhookAction(weight), requestId });
    const headers = { 'content-type': 'application/json', [REQUEST_ID_HEADER]: requestId, ...this.#sign(body) };
    const answer = await call(WHAT, this.#http, this.#url, { method: 'POST', headers, body }, this.#timeoutMs);
    expect2xx(WHAT, 'POST', this.#url, answer);
  }

  async getWeight(region: string): Promise<number | null> {
    const url = new URL(this.#url);
    url.searchParams.set('region', region);
    const answer = await call(
      WHAT,
      this.#http,
      url.toString(),
      { method: 'GET', headers: { accept: 'application/json', ...this.#sign('') } },
      this.#timeoutMs,
    );
    if (answer.status === 404 || answer.status === 405 || answer.status === 501) return null;
    expect2xx(WHAT, 'GET', url.toString(), answer);
    return weightField(parseJson(answer.text), 'weight') ?? null;
  }

  #sign(body: string): Record<string, string> {
    if (!this.#secret) return {};
    const timestamp = String(Math.floor(this.#now() / 1000));
    return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signPayload(this.#secret, timestamp, body) };
  }
}
