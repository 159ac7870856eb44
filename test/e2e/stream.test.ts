/**
 * GET /v1/stream against a running release in 50 regions: deltas (event + release row +
 * changed target) in commit order, each well under 50 KB; Last-Event-ID resumes exactly after
 * the given message (nothing missed, nothing twice); a release filter; bad input answers 4xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { call } from '../support/api-client.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { openSse, type SseMessage, type SseReader } from '../support/sse.js';
import { writeServicesConfig } from './multi-service-config.js';

const REGIONS = Array.from({ length: 50 }, (_, i) => `r-${String(i).padStart(2, '0')}`);
const image = (v: string) => `registry.example.com/shop/web:${v}`;

interface Change {
  event: { id: string; type: string; region: string | null; releaseId?: string };
  release: { id: string; state: string };
  target: { region: string; state: string } | null;
}

describe('live stream', () => {
  let sim: RunningSimulator;
  let db: TestDatabase;
  let api: Proc & { url: string };
  let worker: Proc;
  const readers: SseReader[] = [];

  beforeAll(async () => {
    sim = await startSimulator({
      regions: REGIONS,
      stepMs: 20,
      progressDeadlineSeconds: 2,
      deployments: [{ namespace: 'shop', name: 'web', container: 'web', image: image('1.0.0') }],
    });
    db = await createTestDatabase();
    const plan = {
      defaults: { bake: '300ms', progressDeadline: '5s' },
      canary: { region: REGIONS[0] },
      waves: [{ name: 'rest', regions: REGIONS.slice(1), maxParallel: 49 }],
    };
    const dir = writeServicesConfig(sim.url, REGIONS, { web: plan });
    const env = { DATABASE_URL: db.url, REDIS_URL, TIDELINE_QUEUE_PREFIX: uniquePrefix(), TIDELINE_CONFIG_DIR: dir, LOG_LEVEL: 'info' };
    api = await startApi(env);
    worker = await startWorker(env);
  });

  afterAll(async () => {
    for (const r of readers) r.close();
    await worker?.kill();
    await api?.kill();
    await db?.drop();
    await sim?.close();
  });

  const open = async (path: string, headers: Record<string, string> = {}) => {
    const r = await openSse(api.url, path, headers);
    readers.push(r);
    return r;
  };

  async function readUntil(r: SseReader, done: (c: Change) => boolean): Promise<Array<SseMessage & { change: Change }>> {
    const out: Array<SseMessage & { change: Change }> = [];
    for (;;) {
      const m = await r.next(60_000);
      if (m.event !== 'change') continue;
      const change = JSON.parse(m.data) as Change;
      out.push({ ...m, change });
      if (done(change)) return out;
    }
  }

  it('sends each event of a 50-region release as a delta under 50 KB, in order; Last-Event-ID resumes without gap or repeat', async () => {
    const live = await open('/v1/stream');
    expect(live.status).toBe(200);
    const ready = await live.next();
    expect(ready.event).toBe('ready');
    const start = ready.id!;
    const created = await call<{ id: string }>(api.url, 'POST', '/v1/releases', {
      service: 'web',
      version: '2.0.0',
      image: image('2.0.0'),
      releaseNumber: 1,
    });
    expect(created.status).toBe(201);
    // opened after the release was created: resumes from the start cursor, so it misses nothing
    const only = await open(`/v1/stream?release=${created.body.id}`, { 'last-event-id': start });

    const seen = await readUntil(live, (c) => c.event.type === 'release.succeeded');
    expect(seen.length).toBeGreaterThan(100);
    const ids = seen.map((m) => m.change.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const max = Math.max(...seen.map((m) => m.bytes));
    expect(max).toBeLessThan(50 * 1024);
    for (const m of seen) {
      expect(m.change.release.id).toBe(created.body.id);
      if (m.change.event.region) expect(m.change.target?.region).toBe(m.change.event.region);
      else expect(m.change.target).toBeNull();
    }
    // the last event of each region left its target verified
    const verified = seen.filter((m) => m.change.event.type === 'region.verified');
    expect(new Set(verified.map((m) => m.change.target!.region)).size).toBe(50);
    expect(seen[seen.length - 1]!.change.release.state).toBe('succeeded');

    // the filtered stream saw the same events
    const filtered = await readUntil(only, (c) => c.event.type === 'release.succeeded');
    expect(filtered.map((m) => m.change.event.id)).toEqual(ids);

    // resuming from the start, and from the middle, gives exactly what came after
    const all = await open('/v1/stream', { 'last-event-id': start });
    const again = await readUntil(all, (c) => c.event.type === 'release.succeeded');
    expect(again.map((m) => m.change.event.id)).toEqual(ids);
    const mid = Math.floor(seen.length / 2);
    const resumed = await open(`/v1/stream?release=${created.body.id}`, { 'last-event-id': seen[mid]!.id! });
    const rest = await readUntil(resumed, (c) => c.event.type === 'release.succeeded');
    expect(rest.map((m) => m.change.event.id)).toEqual(ids.slice(mid + 1));
  });

  it('refuses bad input with a problem naming the field, and an unknown release with 404', async () => {
    const bad = await call<{ errors: Array<{ field: string }> }>(api.url, 'GET', '/v1/stream?release=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.field).toBe('release');
    const unknown = await call(api.url, 'GET', '/v1/stream?release=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    const cursor = await call<{ errors: Array<{ field: string }> }>(api.url, 'GET', '/v1/stream', undefined, {
      'last-event-id': 'yesterday',
    });
    expect(cursor.status).toBe(400);
    expect(cursor.body.errors[0]!.field).toBe('Last-Event-ID');
    const extra = await call(api.url, 'GET', '/v1/stream?foo=1');
    expect(extra.status).toBe(400);
  });
});
