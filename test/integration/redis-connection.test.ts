/**
 * The Redis connection factory: REDIS_URL forms (redis://, rediss:// with TLS, Sentinel) as
 * ioredis options, clear errors naming REDIS_URL, and one shared client used by a BullMQ queue
 * and a worker against the real Redis (the worker duplicates it for its blocking reads; BullMQ
 * never closes it: JobQueues, its owner, does), directly and through a real Sentinel.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { QUEUES } from '#application';
import { connectRedis, JobQueues, redisConnection } from '#integrations';
import { startOwnRedis } from '../support/own-redis.js';
import { freePort } from '../support/processes.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

describe('redisConnection (REDIS_URL → ioredis options)', () => {
  it('redis://: host, port, credentials, database; commands wait for a reconnect', () => {
    expect(redisConnection('redis://app:p%40ss@cache.internal:6380/2')).toEqual({
      host: 'cache.internal',
      port: 6380,
      username: 'app',
      password: 'p@ss',
      db: 2,
      maxRetriesPerRequest: null,
    });
    expect(redisConnection('redis://127.0.0.1')).toEqual({ host: '127.0.0.1', port: 6379, db: 0, maxRetriesPerRequest: null });
    expect(redisConnection('redis://[::1]:6379')).toMatchObject({ host: '::1' });
  });

  it('rediss:// yields TLS options', () => {
    const opts = redisConnection('rediss://:token@redis.example.com:6380');
    expect(opts).toMatchObject({ host: 'redis.example.com', port: 6380, password: 'token', tls: {} });
    expect(redisConnection('redis://redis.example.com').tls).toBeUndefined();
  });

  it('redis+sentinel:// yields sentinel options (sentinels, master name, database, sentinel credentials)', () => {
    expect(redisConnection('redis+sentinel://:pw@s1.internal:26379,s2.internal,[::1]:26380/mymaster/3?sentinelPassword=sp%21')).toEqual({
      sentinels: [
        { host: 's1.internal', port: 26379 },
        { host: 's2.internal', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'mymaster',
      password: 'pw',
      db: 3,
      sentinelPassword: 'sp!',
      maxRetriesPerRequest: null,
    });
    expect(redisConnection('rediss+sentinel://s1:26379/main')).toMatchObject({
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'main',
      db: 0,
      tls: {},
      sentinelTLS: {},
      enableTLSForSentinelMode: true,
    });
  });

  it('refuses other schemes and malformed URLs with an error naming REDIS_URL, never echoing a password', () => {
    expect(() => redisConnection('http://user:hunter2@redis:6379')).toThrow(
      'REDIS_URL must start with redis://, rediss://, redis+sentinel:// or rediss+sentinel://, got http:',
    );
    for (const bad of [
      'redis+sentinel://:hunter2@s1:26379',
      'redis+sentinel://:hunter2@s1:port/master',
      'redis://:hunter2@cache/zero',
      'redis+sentinel://s1/master?sentinelPasword=x',
      'hunter2',
    ]) {
      let message = '';
      try {
        redisConnection(bad);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, bad).toMatch(/^REDIS_URL /);
      expect(message, bad).not.toContain('hunter2');
    }
  });
});

describe('connectRedis: one client shared by queues and workers', () => {
  it('a queue and a worker on the same client run a job; closing them leaves the client to its owner', { timeout: 20_000 }, async () => {
    const client = connectRedis(REDIS_URL);
    expect(client.options.maxRetriesPerRequest).toBeNull();
    const prefix = uniquePrefix();
    const queues = new JobQueues(client, prefix);
    expect(queues.connection).toBe(client);
    const done = new Promise<unknown>((resolve) => {
      const worker = new Worker(QUEUES.releases, async (job) => job.data, { connection: queues.connection, prefix });
      worker.on('completed', (job) => void worker.close().then(() => resolve(job.data)));
    });
    await queues.enqueueTick('r1', 1, 0);
    expect(await done).toEqual({ releaseId: 'r1', seq: 1 });
    expect(client.status).toBe('ready'); // the worker did not close what it was lent
    const ended = once(client, 'end');
    await queues.close();
    await ended; // the queues' owner quit it
    expect(client.status).toBe('end');
  });
});

/** Waits until something answers PING on the port (a starting sentinel). */
async function untilAnswers(port: number): Promise<void> {
  for (const deadline = Date.now() + 10_000; ;) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nothing answers on ${port}`);
    } finally {
      probe.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('connectRedis through a real Sentinel (redis+sentinel://)', () => {
  it('finds the master by name and runs a job through it', { timeout: 30_000 }, async () => {
    const master = await startOwnRedis();
    const dir = mkdtempSync(join(tmpdir(), 'tideline-sentinel-'));
    const port = await freePort();
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor main 127.0.0.1 ${master.port} 1\n`);
    const sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    try {
      await untilAnswers(port);
      const client = connectRedis(`redis+sentinel://127.0.0.1:${port}/main`);
      const queues = new JobQueues(client, uniquePrefix());
      const done = new Promise<unknown>((resolve) => {
        const worker = new Worker(QUEUES.releases, async (job) => job.data, {
          connection: queues.connection,
          prefix: queues.queue(QUEUES.releases).opts.prefix,
        });
        worker.on('completed', (job) => void worker.close().then(() => resolve(job.data)));
      });
      await queues.enqueueTick('r2', 7, 0);
      expect(await done).toEqual({ releaseId: 'r2', seq: 7 });
      // the client reached the master the sentinel names
      expect(await client.config('GET', 'port')).toEqual(['port', String(master.port)]);
      await queues.close();
    } finally {
      sentinel.kill('SIGKILL');
      await master.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
