/**
 * Webhook signatures: `X-Tideline-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
 * with `X-Tideline-Timestamp: <unix seconds>`. Receivers check both with verifySignature.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Tideline-Timestamp';
export const SIGNATURE_HEADER = 'X-Tideline-Signature';
export const REQUEST_ID_HEADER = 'X-Tideline-Request-Id';

/** "v1=<hex>" */
export function signPayload(secret: string, timestamp: string | number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * true when `header` (one or more comma-separated "v1=<hex>") holds a valid signature of
 * `timestamp + "." + body` and the timestamp is within `toleranceSeconds` of now (replays).
 */
export function verifySignature(secret: string, timestamp: string, body: string, header: string, nowMs: number, toleranceSeconds = 300): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, timestamp, body).slice(3), 'hex');
  return header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1=') && /^[0-9a-f]+$/i.test(part.slice(3)))
    .some((part) => {
      const given = Buffer.from(part.slice(3), 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
