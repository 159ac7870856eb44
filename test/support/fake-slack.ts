/**
 * A local HTTP server that behaves like the parts of Slack Tideline uses: the Web API
 * (chat.postMessage, chat.update, conversations.replies, conversations.history; form-encoded
 * like @slack/web-api sends them), an incoming webhook, and a generic webhook receiver.
 * Switches make it fail: HTTP 500s, 429 with Retry-After, down (connection refused or 503),
 * slow. A message counts as posted the moment its request arrives, even if the answer is
 * delayed or never read — as with the real Slack.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: unknown[];
  metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
  /** texts this message had before each chat.update, oldest first */
  previousTexts: string[];
}

export interface WebhookPost {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  at: number;
}

export interface FakeSlack {
  url: string;
  apiUrl: string;
  webhookUrl: string;
  receiverUrl(name: string): string;
  token: string;
  messages: FakeMessage[];
  webhookPosts: WebhookPost[];
  receiverPosts: WebhookPost[];
  /** every request, as "<path> <status>" */
  requests: string[];
  channelId(name: string): string;
  /** the parent messages (not in a thread) of a channel */
  parents(channel: string): FakeMessage[];
  replies(parentTs: string): FakeMessage[];
  failNext(n: number, status?: number): void;
  rateLimitNext(n: number, retryAfterSeconds: number): void;
  setDown(mode: false | 'refuse' | '503'): Promise<void>;
  /** delay answers to chat.postMessage (the message is stored at once) */
  setSlowPostMs(ms: number): void;
  /** resolves when `n` chat.postMessage requests have arrived in total */
  waitForPosts(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const parseJson = <T>(text: string | null, fallback: T): T => {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

export async function startFakeSlack(opts: { token?: string } = {}): Promise<FakeSlack> {
  const token = opts.token ?? 'xoxb-test-token';
  const messages: FakeMessage[] = [];
  const webhookPosts: WebhookPost[] = [];
  const receiverPosts: WebhookPost[] = [];
  const requests: string[] = [];
  let failures: { n: number; status: number } = { n: 0, status: 500 };
  let rateLimits: { n: number; seconds: number } = { n: 0, seconds: 1 };
  let down: false | 'refuse' | '503' = false;
  let slowPostMs = 0;
  let seq = 0;
  let posts = 0;
  const postWaiters: Array<{ n: number; resolve: () => void }> = [];

  const channelId = (name: string) =>
    /^[CGD][A-Z0-9]{6,}$/.test(name)
      ? name
      : `C${name
          .replace(/[^A-Za-z0-9]/g, '')
          .toUpperCase()
          .padEnd(8, '0')}`;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
  const view = (m: FakeMessage, withMetadata: boolean) => ({
    type: 'message',
    ts: m.ts,
    text: m.text,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  });

  async function api(method: string, params: URLSearchParams, res: ServerResponse): Promise<void> {
    const channel = params.get('channel') ? channelId(params.get('channel')!) : '';
    switch (method) {
      case 'chat.postMessage': {
        posts++;
        const m: FakeMessage = {
          channel,
          ts: nextTs(),
          threadTs: params.get('thread_ts'),
          text: params.get('text') ?? '',
          blocks: parseJson(params.get('blocks'), []),
          metadata: parseJson(params.get('metadata'), null),
          previousTexts: [],
        };
        messages.push(m);
        for (const w of postWaiters.filter((x) => posts >= x.n)) w.resolve();
        if (slowPostMs > 0) await sleep(slowPostMs);
        return json(res, 200, { ok: true, channel, ts: m.ts, message: view(m, false) });
      }
      case 'chat.update': {
        const m = messages.find((x) => x.channel === channel && x.ts === params.get('ts'));
        if (!m) return json(res, 200, { ok: false, error: 'message_not_found' });
        m.previousTexts.push(m.text);
        m.text = params.get('text') ?? m.text;
        m.blocks = parseJson(params.get('blocks'), m.blocks);
        return json(res, 200, { ok: true, channel, ts: m.ts, text: m.text });
      }
      case 'conversations.replies': {
        const ts = params.get('ts');
        const thread = messages.filter((x) => x.channel === channel && (x.ts === ts || x.threadTs === ts));
        if (thread.length === 0) return json(res, 200, { ok: false, error: 'thread_not_found' });
        return json(res, 200, {
          ok: true,
          messages: thread.map((m) => view(m, params.get('include_all_metadata') === 'true')),
          has_more: false,
        });
      }
      case 'conversations.history': {
        const oldest = Number(params.get('oldest') ?? '0');
        const top = messages.filter((x) => x.channel === channel && !x.threadTs && Number(x.ts) > oldest).reverse();
        return json(res, 200, {
          ok: true,
          messages: top.map((m) => view(m, params.get('include_all_metadata') === 'true')),
          has_more: false,
        });
      }
      default:
        return json(res, 200, { ok: false, error: 'unknown_method' });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const rawBody = await readBody(req);
    const answer = (status: number) => requests.push(`${path} ${status}`);
    if (down === '503') {
      answer(503);
      return json(res, 503, { ok: false, error: 'service_unavailable' });
    }
    if (path.startsWith('/receiver/')) {
      receiverPosts.push({ path, headers: req.headers, rawBody, at: Date.now() });
      answer(200);
      res.writeHead(200).end('ok');
      return;
    }
    if (rateLimits.n > 0) {
      rateLimits.n--;
      answer(429);
      return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(rateLimits.seconds) });
    }
    if (failures.n > 0) {
      failures.n--;
      answer(failures.status);
      res.writeHead(failures.status, { 'content-type': 'text/plain' }).end('internal error');
      return;
    }
    if (path.startsWith('/hooks/')) {
      webhookPosts.push({ path, headers: req.headers, rawBody, at: Date.now() });
      answer(200);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (!path.startsWith('/api/')) {
      answer(404);
      return json(res, 404, { ok: false, error: 'not_found' });
    }
    const params = new URLSearchParams(rawBody);
    const auth = req.headers.authorization ?? (params.get('token') ? `Bearer ${params.get('token')}` : '');
    if (auth !== `Bearer ${token}`) {
      answer(200);
      return json(res, 200, { ok: false, error: 'invalid_auth' });
    }
    answer(200);
    await api(path.slice('/api/'.length), params, res);
  }

  let server: Server = createServer();
  const attach = (s: Server) =>
    s.on('request', (req, res) => {
      handle(req, res).catch((err: Error) => {
        if (!res.headersSent) json(res, 500, { ok: false, error: err.message });
      });
    });
  attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const stop = (s: Server) =>
    new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });

  return {
    url,
    apiUrl: `${url}/api/`,
    webhookUrl: `${url}/hooks/T0001/B0001/secretpart`,
    receiverUrl: (name) => `${url}/receiver/${name}`,
    token,
    messages,
    webhookPosts,
    receiverPosts,
    requests,
    channelId,
    parents: (ch) => messages.filter((m) => m.channel === channelId(ch) && !m.threadTs),
    replies: (ts) => messages.filter((m) => m.threadTs === ts),
    failNext(n, status = 500) {
      failures = { n, status };
    },
    rateLimitNext(n, seconds) {
      rateLimits = { n, seconds };
    },
    async setDown(mode) {
      if (mode === down) return;
      if (down === 'refuse') {
        server = createServer();
        attach(server);
        await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
      }
      down = mode;
      if (mode === 'refuse') await stop(server);
    },
    setSlowPostMs(ms) {
      slowPostMs = ms;
    },
    waitForPosts(n, timeoutMs = 30_000) {
      if (posts >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${posts} of ${n} posts arrived in ${timeoutMs}ms`)), timeoutMs);
        postWaiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async close() {
      if (down !== 'refuse') await stop(server);
    },
  };
}
