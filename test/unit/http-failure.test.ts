/**
 * Outbound HTTP failures (axios) never carry the destination's secrets: the one mapping keeps a
 * code and drops the AxiosError (its config holds the URL, the headers and the body), and the
 * errors the adapters throw (TrafficError, DeliveryError, a Prometheus outcome) say nothing of
 * the URL's credentials or query, tokens or signatures — in their message, their
 * JSON, their inspection or their stack. Real local servers, as everywhere.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { AxiosError, AxiosHeaders } from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationMessage } from '#application';
import { Secret } from '#config';
import { HttpClient, httpFailureOf, HttpPrometheus, HttpWebhookSink, SimulatorLoadBalancer, WebhookTrafficProvider } from '#integrations';

const SECRET = 'S3CRET-do-not-leak';

/** Everything a logger or a careless caller could print of a value. */
function everything(value: unknown): string {
  const parts = [inspect(value, { depth: null, showHidden: true }), safeJson(value)];
  if (value instanceof Error) parts.push(value.message, value.stack ?? '', inspect(value.cause, { depth: null }));
  return parts.join('\n');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function closedPort(): Promise<number> {
  const { server, port } = await listen(() => undefined);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const message = {
  eventId: 'e1',
  eventType: 'release.failed',
  severity: 'failure',
  title: 'Release failed',
  text: 'it failed',
  region: null,
  stage: null,
  fields: [],
  actor: 'system',
  at: new Date(0),
  reason: null,
  fromState: null,
  toState: null,
  data: null,
  release: {
    id: 'r1',
    service: 'checkout',
    version: '1.0.0',
    image: 'img:1',
    releaseNumber: 1,
    state: 'failed',
    stateReason: null,
    plan: 'p',
    stages: [],
    currentStage: null,
    requestedBy: null,
    url: 'http://dash/r1',
  },
} as NotificationMessage;

describe('httpFailureOf: the one mapping from axios errors', () => {
  it('keeps the code of an AxiosError and nothing of its config, request or response', () => {
    const config = {
      url: `https://user:${SECRET}@hooks.example.com/services/${SECRET}?token=${SECRET}`,
      headers: new AxiosHeaders({ Authorization: `Bearer ${SECRET}`, 'X-Tideline-Signature': `v1=${SECRET}` }),
      data: `{"secret":"${SECRET}"}`,
    };
    const err = new AxiosError(`connect ECONNREFUSED via ${config.url}`, 'ECONNREFUSED', config as never, { path: config.url }, undefined);
    expect(everything(err)).toContain(SECRET); // what the mapping is there for
    const failure = httpFailureOf(err, { timedOut: false, timeoutMs: 1_000 });
    expect(failure).toEqual({ kind: 'network', code: 'ECONNREFUSED' });
    expect(everything(failure)).not.toContain(SECRET);
  });

  it('never keeps a message as a code, and reads AggregateError members and causes', () => {
    const noCode = new AxiosError(`something about ${SECRET}`, undefined, { url: SECRET } as never);
    expect(httpFailureOf(noCode, { timedOut: false, timeoutMs: 5 })).toEqual({ kind: 'network', code: 'request failed' });
    const wrapped = Object.assign(new Error(`fetch ${SECRET}`), {
      cause: Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}),
    });
    expect(httpFailureOf(wrapped, { timedOut: false, timeoutMs: 5 })).toEqual({ kind: 'network', code: 'ECONNREFUSED' });
    expect(httpFailureOf(new AxiosError('timeout of 5ms exceeded', 'ECONNABORTED'), { timedOut: false, timeoutMs: 5 })).toEqual({
      kind: 'timeout',
      timeoutMs: 5,
    });
  });
});

describe('HttpClient and the adapters against real servers', () => {
  let slow: { server: Server; port: number };
  let refused: number;

  beforeAll(async () => {
    slow = await listen((_req, res) => setTimeout(() => res.end('late'), 2_000));
    refused = await closedPort();
  });

  afterAll(async () => {
    slow.server.closeAllConnections();
    await new Promise<void>((resolve) => slow.server.close(() => resolve()));
  });

  /** paths are shown in messages (they name the endpoint); credentials and the query never are */
  const secretUrl = (port: number) => `http://user:${SECRET}@127.0.0.1:${port}/hook?token=${SECRET}`;

  it('an unreachable destination: a code, no URL, no header', async () => {
    const client = new HttpClient({ timeoutMs: 2_000 });
    const out = await client.send({
      method: 'POST',
      url: secretUrl(refused),
      headers: { authorization: `Bearer ${SECRET}` },
      body: SECRET,
    });
    expect(out).toEqual({ ok: false, failure: { kind: 'network', code: 'ECONNREFUSED' } });
    expect(everything(out)).not.toContain(SECRET);
    client.close();
  });

  it('a deadline, and a caller that cancels', async () => {
    const client = new HttpClient({ timeoutMs: 150 });
    const started = Date.now();
    const timedOut = await client.send({ method: 'GET', url: secretUrl(slow.port), headers: { authorization: `Bearer ${SECRET}` } });
    expect(timedOut).toEqual({ ok: false, failure: { kind: 'timeout', timeoutMs: 150 } });
    expect(Date.now() - started).toBeLessThan(1_500);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const cancelled = await client.send({
      method: 'GET',
      url: secretUrl(slow.port),
      headers: {},
      timeoutMs: 5_000,
      signal: controller.signal,
    });
    expect(cancelled).toEqual({ ok: false, failure: { kind: 'canceled' } });
    client.close();
  });

  it('TrafficError, DeliveryError and Prometheus outcomes carry no secret', async () => {
    for (const port of [refused, slow.port]) {
      const hook = new WebhookTrafficProvider({ url: secretUrl(port), secret: SECRET, timeoutMs: 150 });
      const lb = new SimulatorLoadBalancer({ url: secretUrl(port), token: SECRET, timeoutMs: 150 });
      for (const p of [hook.setWeight('eu', 0), hook.getWeight('eu'), lb.setWeight('eu', 0), lb.getWeight('eu')]) {
        const err = await p.then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).name).toBe('TrafficError');
        expect((err as Error).cause).toBeUndefined();
        expect(everything(err)).not.toContain(SECRET);
      }
      const sink = new HttpWebhookSink({ name: 'ops', url: secretUrl(port), secret: new Secret(SECRET), minSeverity: 'info' }, 150);
      const delivery = await sink.send(message, 'd1').then(
        () => null,
        (e: unknown) => e,
      );
      expect((delivery as Error).name).toBe('DeliveryError');
      expect((delivery as Error).message).toMatch(/^webhook ops: (ECONNREFUSED|timed out)$/);
      expect(everything(delivery)).not.toContain(SECRET);
      const prom = await new HttpPrometheus({ url: secretUrl(port), headers: { Authorization: `Bearer ${SECRET}` } }).query('up', {
        timeoutMs: 150,
      });
      expect(prom.ok).toBe(false);
      expect(everything(prom)).not.toContain(SECRET);
    }
  });
});
