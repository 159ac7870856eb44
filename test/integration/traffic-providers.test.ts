/** Traffic providers against local HTTP servers: a signed webhook receiver and a fake of the simulator's /lb API. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrafficError } from '#application';
import {
  createTrafficProvider,
  createTrafficProviders,
  signPayload,
  SimulatorLoadBalancer,
  verifySignature,
  WebhookTrafficProvider,
} from '#integrations';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function listen(
  handler: (req: Received, res: ServerResponse) => void,
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      received.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await close(s);
  return port;
}

const reply = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
};

async function failure(p: Promise<unknown>): Promise<TrafficError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrafficError);
  return err as TrafficError;
}

describe('WebhookTrafficProvider', () => {
  const SECRET = 'whsec-test';
  let hook: Awaited<ReturnType<typeof listen>>;
  /** what the receiver answers next, by method */
  const next: { post: [number, unknown]; get: [number, unknown] } = { post: [200, { ok: true }], get: [200, { weight: 30 }] };
  const verdicts: boolean[] = [];

  beforeAll(async () => {
    hook = await listen((req, res) => {
      const ts = String(req.headers['x-tideline-timestamp'] ?? '');
      const sig = String(req.headers['x-tideline-signature'] ?? '');
      verdicts.push(verifySignature(SECRET, ts, req.body, sig, Date.now()));
      if (req.url.startsWith('/slow')) return void setTimeout(() => reply(res, 200, {}), 1_000);
      const [status, body] = req.method === 'GET' ? next.get : next.post;
      reply(res, status, body);
    });
  });
  afterAll(() => close(hook.server));

  const provider = (path = '/hooks/lb', timeoutMs = 2_000) =>
    new WebhookTrafficProvider({ url: `${hook.url}${path}`, secret: SECRET, timeoutMs });

  it('POSTs region, weight, action and requestId, signed (the receiver verifies it)', async () => {
    next.post = [200, { ok: true }];
    for (const [weight, action] of [
      [0, 'drain'],
      [100, 'restore'],
      [40, 'set'],
    ] as const) {
      await provider().setWeight('eu-west', weight);
      const req = hook.received.at(-1)!;
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/hooks/lb');
      const body = JSON.parse(req.body) as Record<string, unknown>;
      expect(body).toEqual({ region: 'eu-west', weight, action, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(req.headers['x-tideline-request-id']).toBe(body['requestId']);
      expect(req.headers['x-tideline-signature']).toBe(signPayload(SECRET, String(req.headers['x-tideline-timestamp']), req.body));
      expect(verdicts.at(-1)).toBe(true);
    }
  });

  it('sends no signature without a secret', async () => {
    await new WebhookTrafficProvider({ url: `${hook.url}/hooks/lb`, timeoutMs: 2_000 }).setWeight('eu-west', 0);
    const req = hook.received.at(-1)!;
    expect(req.headers['x-tideline-signature']).toBeUndefined();
    expect(req.headers['x-tideline-timestamp']).toBeUndefined();
  });

  it('a non-2xx answer throws a TrafficError with the status and the body', async () => {
    next.post = [502, { error: 'upstream LB API down' }];
    const err = await failure(provider().setWeight('eu-west', 0));
    expect(err.status).toBe(502);
    expect(err.body).toContain('upstream LB API down');
    expect(err.message).toContain('traffic webhook answered 502 to POST');
    next.post = [200, { ok: true }];
  });

  it('getWeight: GET ?region=, signed over an empty body; {weight} → n', async () => {
    next.get = [200, { weight: 30 }];
    expect(await provider('/hooks/lb?tenant=acme').getWeight('ap-south')).toBe(30);
    const req = hook.received.at(-1)!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/hooks/lb?tenant=acme&region=ap-south');
    expect(verdicts.at(-1)).toBe(true);
  });

  it('getWeight: null when the webhook cannot tell; throws on other failures', async () => {
    next.get = [404, 'not found'];
    expect(await provider().getWeight('eu-west')).toBeNull();
    next.get = [200, { ok: true }];
    expect(await provider().getWeight('eu-west')).toBeNull();
    next.get = [503, 'busy'];
    expect((await failure(provider().getWeight('eu-west'))).status).toBe(503);
  });

  it('times out and reports unreachable endpoints as TrafficError', async () => {
    const slow = await failure(provider('/slow', 150).setWeight('eu-west', 0));
    expect(slow.message).toBe(`traffic webhook at ${hook.url}/slow timed out after 150ms`);
    const port = await closedPort();
    const refused = await failure(
      new WebhookTrafficProvider({ url: `http://127.0.0.1:${port}/x?token=abc`, timeoutMs: 1_000 }).setWeight('eu-west', 0),
    );
    expect(refused.message).toBe(`traffic webhook unreachable at http://127.0.0.1:${port}/x: ECONNREFUSED`);
    expect(refused.status).toBeUndefined();
  });

  it('refuses weights outside 0..100 without calling', async () => {
    const before = hook.received.length;
    await failure(provider().setWeight('eu-west', 101));
    await failure(provider().setWeight('eu-west', NaN));
    expect(hook.received.length).toBe(before);
  });
});

describe('verifySignature', () => {
  const body = '{"region":"eu","weight":0}';
  const now = 1_800_000_000_000;
  const ts = String(now / 1000);
  const good = signPayload('k', ts, body);

  it('accepts a good signature, also among several', () => {
    expect(verifySignature('k', ts, body, good, now)).toBe(true);
    expect(verifySignature('k', ts, body, `v1=deadbeef, ${good}`, now)).toBe(true);
  });

  it('rejects a wrong secret, a changed body, a changed timestamp, stale or future timestamps, junk', () => {
    expect(verifySignature('other', ts, body, good, now)).toBe(false);
    expect(verifySignature('k', ts, body.replace('0', '1'), good, now)).toBe(false);
    expect(verifySignature('k', String(now / 1000 + 1), body, good, now)).toBe(false);
    expect(verifySignature('k', ts, body, good, now + 301_000)).toBe(false);
    expect(verifySignature('k', ts, body, good, now - 301_000)).toBe(false);
    expect(verifySignature('k', ts, body, good, now + 299_000)).toBe(true);
    expect(verifySignature('k', ts, body, 'v1=zz', now)).toBe(false);
    expect(verifySignature('k', 'soon', body, good, now)).toBe(false);
  });
});

describe('SimulatorLoadBalancer (against a fake /lb API)', () => {
  const TOKEN = 'sim-token';
  const weights = new Map<string, { weight: number; targetWeight: number }>([
    ['eu-west', { weight: 100, targetWeight: 100 }],
    ['ap-south', { weight: 100, targetWeight: 100 }],
  ]);
  let lb: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    lb = await listen((req, res) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(res, 401, { error: 'unauthorized' });
      const m = /^\/lb\/regions\/([^/]+)$/.exec(req.url);
      const region = m ? decodeURIComponent(m[1]!) : '';
      const state = weights.get(region);
      if (!state) return reply(res, 404, { error: `unknown region ${region}` });
      if (req.method === 'PUT') {
        const { weight } = JSON.parse(req.body) as { weight: number };
        state.targetWeight = weight; // the real simulator moves `weight` toward the target over time
      }
      reply(res, 200, { region, ...state });
    });
  });
  afterAll(() => close(lb.server));

  const sim = (token = TOKEN) => new SimulatorLoadBalancer({ url: `${lb.url}/`, token, timeoutMs: 2_000 });

  it('PUTs {"weight": n} with the bearer token; getWeight reports the target weight', async () => {
    await sim().setWeight('eu-west', 0);
    const req = lb.received.at(-1)!;
    expect(req).toMatchObject({ method: 'PUT', url: '/lb/regions/eu-west', body: '{"weight":0}' });
    expect(req.headers['content-type']).toBe('application/json');
    expect(await sim().getWeight('eu-west')).toBe(0);
    expect(await sim().getWeight('ap-south')).toBe(100);
  });

  it('non-2xx answers throw TrafficError with status and body', async () => {
    const unknown = await failure(sim().setWeight('mars', 0));
    expect(unknown).toMatchObject({ status: 404, body: '{"error":"unknown region mars"}' });
    expect(unknown.message).toBe(`simulator load balancer answered 404 to PUT ${lb.url}/lb/regions/mars: {"error":"unknown region mars"}`);
    expect((await failure(sim('wrong').getWeight('eu-west'))).status).toBe(401);
  });

  it('an unreachable simulator is a TrafficError', async () => {
    const port = await closedPort();
    const err = await failure(new SimulatorLoadBalancer({ url: `http://127.0.0.1:${port}`, timeoutMs: 1_000 }).getWeight('eu-west'));
    expect(err.message).toContain('ECONNREFUSED');
  });
});

describe('createTrafficProvider', () => {
  it('builds each known type; none → null; unknown types and missing urls throw', () => {
    expect(createTrafficProvider({ type: 'none' })).toBeNull();
    expect(createTrafficProvider({ type: 'simulator', url: 'http://sim:8080' })).toBeInstanceOf(SimulatorLoadBalancer);
    expect(createTrafficProvider({ type: 'webhook', url: 'http://hooks', secret: 's' })).toBeInstanceOf(WebhookTrafficProvider);
    expect(() => createTrafficProvider({ type: 'istio' })).toThrow(
      'unknown traffic provider type "istio" (known: simulator, webhook, gateway-api, none)',
    );
    expect(() => createTrafficProvider({ type: 'webhook' })).toThrow('traffic provider "webhook" needs a url');
  });

  it('per region: configured providers, null for none and for regions without one', () => {
    const providers = createTrafficProviders(
      new Map([
        ['eu-west', { type: 'simulator', url: 'http://sim:8080' }],
        ['ap-south', { type: 'none' }],
      ]),
    );
    expect(providers.forRegion('eu-west')).toBeInstanceOf(SimulatorLoadBalancer);
    expect(providers.forRegion('ap-south')).toBeNull();
    expect(providers.forRegion('us-east')).toBeNull();
  });
});
