/**
 * Traffic webhooks are signed exactly like notification webhooks (one documented scheme):
 * `X-Tideline-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>` with
 * `X-Tideline-Timestamp: <unix seconds>`. See notifications/signature.ts.
 */
import { signTidelineWebhook, verifyTidelineSignature } from '../notifications/signature.js';

export const REQUEST_ID_HEADER = 'X-Tideline-Request-Id';

/** "v1=<hex>" */
export function signPayload(secret: string, timestamp: string | number, body: string): string {
  return signTidelineWebhook(secret, Number(timestamp), body);
}

/** true when `header` holds a valid signature of `timestamp + "." + body` within `toleranceSeconds` of now. */
export function verifySignature(
  secret: string,
  timestamp: string,
  body: string,
  header: string,
  nowMs: number,
  toleranceSeconds = 300,
): boolean {
  return verifyTidelineSignature(secret, timestamp, body, header, nowMs, toleranceSeconds);
}
