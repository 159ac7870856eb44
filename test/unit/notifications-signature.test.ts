import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signTidelineWebhook, verifyTidelineSignature } from '#integrations';

const secret = 'whsec-0123456789';
const body = '{"type":"release.succeeded","release":{"service":"checkout"}}';
const now = Date.parse('2030-01-01T00:00:00Z');
const ts = Math.floor(now / 1000);

describe('webhook signatures', () => {
  it('is HMAC-SHA256 over "<timestamp>.<raw body>", hex, prefixed v1= (the documented procedure)', () => {
    const expected = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    expect(signTidelineWebhook(secret, ts, body)).toBe(`v1=${expected}`);
  });

  it('verifies a genuine request, also from a Buffer and among several signatures', () => {
    const sig = signTidelineWebhook(secret, ts, body);
    expect(verifyTidelineSignature(secret, String(ts), body, sig, now)).toBe(true);
    expect(verifyTidelineSignature(secret, ts, Buffer.from(body), sig, now + 299_000)).toBe(true);
    expect(verifyTidelineSignature(secret, ts, body, `v1=${'0'.repeat(64)}, ${sig}`, now)).toBe(true);
  });

  it('refuses a tampered body, a wrong secret, a changed timestamp and old or future timestamps', () => {
    const sig = signTidelineWebhook(secret, ts, body);
    expect(verifyTidelineSignature(secret, ts, body.replace('checkout', 'checkoux'), sig, now)).toBe(false);
    expect(verifyTidelineSignature(`${secret}x`, ts, body, sig, now)).toBe(false);
    expect(verifyTidelineSignature(secret, ts + 1, body, sig, now)).toBe(false);
    expect(verifyTidelineSignature(secret, ts, body, sig, now + 301_000)).toBe(false);
    expect(verifyTidelineSignature(secret, ts, body, sig, now - 301_000)).toBe(false);
    expect(verifyTidelineSignature(secret, ts, body, sig, now + 60_000, 30)).toBe(false);
  });

  it('refuses malformed headers without throwing', () => {
    const sig = signTidelineWebhook(secret, ts, body);
    for (const [t, s] of [
      [undefined, sig],
      [String(ts), undefined],
      ['abc', sig],
      [`${ts}.5`, sig],
      [String(ts), sig.replace('v1=', 'v0=')],
      [String(ts), 'v1=zz'],
      [String(ts), ''],
      [String(ts), sig.slice(0, -2)],
    ] as Array<[string | undefined, string | undefined]>) {
      expect(verifyTidelineSignature(secret, t, body, s, now), `${t} ${s}`).toBe(false);
    }
    expect(verifyTidelineSignature('', ts, body, sig, now)).toBe(false);
  });
});
