/**
 * Webhook signatures. Every webhook request carries
 *   X-Tideline-Timestamp: <unix seconds>
 *   X-Tideline-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * A receiver recomputes the HMAC over the timestamp header, a dot and the raw request body
 * (the bytes as received, before any JSON parsing), compares it in constant time, and refuses
 * a timestamp more than five minutes from its clock (replays).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Tideline-Signature';
export const TIMESTAMP_HEADER = 'X-Tideline-Timestamp';
export const DELIVERY_HEADER = 'X-Tideline-Delivery';
export const EVENT_HEADER = 'X-Tideline-Event';

function hmac(secret: string, timestamp: string, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The X-Tideline-Signature value for a body sent at `timestampSeconds`. */
export function signTidelineWebhook(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
  return `v1=${hmac(secret, String(timestampSeconds), rawBody).toString('hex')}`;
}

/**
 * True when `signatureHeader` holds a v1 signature of `rawBody` at `timestamp` made with
 * `secret`, and the timestamp is within `toleranceSeconds` of `nowMs`. The header may list
 * several comma-separated signatures (e.g. during a secret rotation); one match suffices.
 */
export function verifyTidelineSignature(
  secret: string,
  timestamp: string | number | undefined,
  rawBody: string | Buffer,
  signatureHeader: string | undefined,
  nowMs: number,
  toleranceSeconds = 300,
): boolean {
  if (timestamp === undefined || signatureHeader === undefined || secret === '') return false;
  const ts = String(timestamp).trim();
  if (!/^\d{1,12}$/.test(ts)) return false;
  if (Math.abs(nowMs / 1000 - Number(ts)) > toleranceSeconds) return false;
  const expected = hmac(secret, ts, rawBody);
  return signatureHeader.split(',').some((part) => {
    const [scheme, hex] = part.trim().split('=', 2);
    if (scheme !== 'v1' || !hex || !/^[0-9a-f]{64}$/i.test(hex)) return false;
    return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
  });
}
