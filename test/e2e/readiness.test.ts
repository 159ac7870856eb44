/**
 * /readyz names what is down: the API and a worker pointed at a Redis port with nothing
 * listening answer 503 with `checks.redis` saying why (Postgres "ok"), stay alive (/healthz),
 * and log the lost connection as a few JSON lines — one per connection and state change,
 * never a stack per retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAuth } from '../support/auth.js';
import { freePort, spawnWorker, startApi, type Proc } from '../support/processes.js';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/services.js';

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('/readyz with Redis down', () => {
  let db: TestDatabase;
  let api: Proc & { url: string };
  let worker: Proc;
  let workerUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'tideline-ready-'));
    writeFileSync(join(dir, 'tideline.yaml'), JSON.stringify({ auth: testAuth() }));
    writeFileSync(
      join(dir, 'regions.yaml'),
      JSON.stringify({ regions: [{ name: 'r1', kubernetes: { server: 'http://127.0.0.1:1', skipTLSVerify: true } }] }),
    );
    const deadRedis = `redis://127.0.0.1:${await freePort()}`; // nothing listens there
    const metricsPort = await freePort();
    workerUrl = `http://127.0.0.1:${metricsPort}`;
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: deadRedis,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: dir,
      LOG_LEVEL: 'info',
      METRICS_PORT: String(metricsPort),
    };
    api = await startApi(env);
    worker = spawnWorker(env); // never "ready": it cannot reach Redis
  }, 60_000);

  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await api?.kill('SIGKILL');
    await db?.drop();
  });

  it('answers 503 naming Redis on the API and on the worker, stays alive, logs one JSON line per change', { timeout: 90_000 }, async () => {
    for (const base of [api.url, workerUrl]) {
      const res = await poll(`${base}/readyz`, async () => {
        const r = await fetch(`${base}/readyz`);
        return { status: r.status, body: (await r.json()) as { status: string; checks: Record<string, string> } };
      });
      expect(res.status, base).toBe(503);
      expect(res.body.status).toBe('not ready');
      expect(res.body.checks.postgres).toBe('ok');
      expect(res.body.checks.redis).toMatch(/redis did not answer within 2s/);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/metrics`)).status).toBe(200); // metrics still answer (queue depth left out)
    }
    // Let ioredis retry for a while, then count what was logged.
    await new Promise((r) => setTimeout(r, 6_000));
    for (const proc of [api, worker]) {
      const lines = proc
        .output()
        .split('\n')
        .filter((l) => l.trim() !== '');
      const bad = lines.filter((l) => {
        try {
          JSON.parse(l);
          return false;
        } catch {
          return true;
        }
      });
      expect(bad, 'every line is JSON (no printed stack)').toEqual([]);
      const lost = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'redis connection lost');
      expect(lost.length).toBeGreaterThanOrEqual(1);
      // one per connection (2 queues; the worker's 2 workers too), however many retries happened
      expect(lost.length).toBeLessThanOrEqual(4);
      expect(new Set(lost.map((l) => l.component)).size).toBe(lost.length);
      expect(lost[0]).toMatchObject({ level: 50, redis: 'down', code: 'ECONNREFUSED' });
    }
  });
});
