/**
 * Real Postgres: the dispatcher's cursor never skips an event committed late by a slow
 * transaction; deliveries of a thread go in order; failures back off and dead-letter; a rate
 * limit waits without counting; a destination that is no longer configured dead-letters.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeliverNotification,
  DeliveryError,
  DispatchNotifications,
  UnknownDestinationError,
  type DeliveryScheduler,
  type MessageSink,
  type NotificationDestination,
  type NotificationDestinations,
  type NotificationMessage,
} from '#application';
import { createDataSource, Db, NotificationStore, ReleaseStore, type ReleaseRecord } from '#persistence';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

class RecordingSink implements MessageSink {
  readonly kind = 'sink' as const;
  sent: Array<{ type: string; deliveryId: string }> = [];
  failures: DeliveryError[] = [];
  async send(m: NotificationMessage, deliveryId: string): Promise<void> {
    const next = this.failures.shift();
    if (next) throw next;
    this.sent.push({ type: m.eventType, deliveryId });
  }
}

describe('notification dispatch and delivery on real Postgres', () => {
  let tdb: TestDatabase;
  let db: Db;
  let releases: ReleaseStore;
  let store: NotificationStore;
  let sink: RecordingSink;
  let dispatch: DispatchNotifications;
  let deliver: DeliverNotification;
  const enqueued: Array<{ id: string; tag: string; delayMs: number }> = [];

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = new Db(await createDataSource({ kind: 'server', url: tdb.url }), false);
    await db.dataSource.runMigrations({ transaction: 'each' });
    releases = new ReleaseStore(db);
    store = new NotificationStore(db);
    sink = new RecordingSink();
    const hook: NotificationDestination = { name: 'webhook:test', filter: { minSeverity: 'info' }, accepts: () => true, channel: sink };
    const destinations: NotificationDestinations = {
      all: () => [hook],
      get: (name) => {
        if (name !== hook.name) throw new UnknownDestinationError(name);
        return hook;
      },
    };
    const scheduler: DeliveryScheduler = { enqueueDelivery: async (id, tag, delayMs) => void enqueued.push({ id, tag, delayMs }) };
    dispatch = new DispatchNotifications(store, destinations, scheduler, log);
    deliver = new DeliverNotification(
      store,
      releases,
      destinations,
      scheduler,
      { maxAttempts: 3, backoffMs: 10_000, maxBackoffMs: 20_000, leaseMs: 60_000, dashboardUrl: 'http://x' },
      log,
    );
    await dispatch.execute(); // the cursor starts here
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  let n = 0;
  const newRelease = async (): Promise<ReleaseRecord> =>
    (
      (await releases.create(
        {
          service: `svc${++n}`,
          version: '1.0.0',
          image: 'r/x:1.0.0',
          releaseNumber: n,
          gitSha: null,
          requestedBy: null,
          idempotencyKey: null,
          plan: {
            planName: 'p',
            service: `svc${n}`,
            stages: [
              {
                index: 0,
                name: 'canary',
                kind: 'canary',
                bakeMs: 0,
                progressDeadlineMs: 1,
                maxParallel: 1,
                onFailure: 'rollback',
                approval: 'none',
                regions: [{ region: 'r1', workloads: [] }],
              },
            ],
          },
        },
        'test',
      )) as { release: ReleaseRecord }
    ).release;
  const INSERT_EVENT = `INSERT INTO release_events (release_id, type, actor, region) VALUES ($1, $2, 'test', 'r1')`;
  const append = async (client: { query(sql: string, params: unknown[]): Promise<unknown> }, releaseId: string, type: string) => {
    await client.query(INSERT_EVENT, [releaseId, type]);
  };
  const deliveriesOf = (releaseId: string) =>
    store.list({ releaseId, limit: 100, offset: 0 }).then((p) => p.items.sort((a, b) => Number(a.eventId) - Number(b.eventId)));
  /**
   * Dispatch until the release's deliveries appear: the cursor only passes events older than every
   * open transaction on the server (pg_snapshot_xmin is cluster-wide, so other suites' databases count).
   */
  const dispatchUntil = async (releaseId: string, count: number) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      await dispatch.execute();
      const found = await deliveriesOf(releaseId);
      if (found.length >= count || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** Run every delivery job until nothing is left to do. */
  const drain = async () => {
    for (let i = 0; i < 50; i++) {
      const jobs = enqueued.splice(0);
      if (jobs.length === 0) return;
      for (const j of jobs) await deliver.execute({ deliveryId: j.id });
      if (enqueued.length === 0) {
        await new Promise((r) => setTimeout(r, 10));
        await dispatch.execute();
      }
    }
  };

  it('never skips an event committed after a later one (commit order, not id order)', async () => {
    const r = await newRelease();
    const slow = new pg.Client({ connectionString: tdb.url });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      await append(slow, r.id, 'region.verified'); // lower id, still uncommitted
      await append(tdb, r.id, 'release.succeeded'); // higher id, committed
      await dispatch.execute();
      const seen = (await deliveriesOf(r.id)).map((d) => d.eventType);
      expect(seen).not.toContain('region.verified');
      await slow.query('COMMIT');
    } finally {
      await slow.end();
    }
    expect((await dispatchUntil(r.id, 4)).map((d) => d.eventType)).toEqual([
      'release.created',
      'stage.started',
      'region.verified',
      'release.succeeded',
    ]);
    await dispatch.execute();
    expect(await deliveriesOf(r.id)).toHaveLength(4); // a second pass adds nothing
  });

  it('sends a thread in event order, one at a time, each exactly once', async () => {
    await drain();
    const all = await store.list({ limit: 100, offset: 0 });
    expect(all.items.every((d) => d.status === 'sent')).toBe(true);
    const types = sink.sent.map((s) => s.type);
    expect(types).toEqual(['release.created', 'stage.started', 'region.verified', 'release.succeeded']);
    expect(new Set(sink.sent.map((s) => s.deliveryId)).size).toBe(sink.sent.length);
    // a repeated job for a sent delivery does nothing
    await expect(deliver.execute({ deliveryId: all.items[0]!.id })).resolves.toBe('done');
    expect(sink.sent).toHaveLength(4);
  });

  it('a later delivery waits while an earlier one of its thread is open', async () => {
    const r = await newRelease();
    await append(tdb, r.id, 'release.succeeded');
    const [first, second, third] = await dispatchUntil(r.id, 3);
    enqueued.splice(0);
    await expect(deliver.execute({ deliveryId: third!.id })).resolves.toBe('blocked');
    await expect(deliver.execute({ deliveryId: first!.id })).resolves.toBe('sent');
    expect(enqueued.map((j) => j.id)).toEqual([second!.id]); // the next one is let go
    await drain();
    expect((await deliveriesOf(r.id)).map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('retries with backoff, waits out a rate limit without counting it, dead-letters after maxAttempts, then goes on', async () => {
    const r = await newRelease();
    const [created, started] = await dispatchUntil(r.id, 2);
    enqueued.splice(0);
    sink.failures.push(
      new DeliveryError('HTTP 503', true),
      new DeliveryError('rate limited', true, 1_500),
      new DeliveryError('HTTP 500', true),
      new DeliveryError('HTTP 502', true),
    );
    const due = () => tdb.query(`UPDATE notification_deliveries SET next_attempt_at = now() WHERE id = $1`, [created!.id]);
    await expect(deliver.execute({ deliveryId: created!.id })).resolves.toBe('retry');
    const backoff = enqueued.at(-1)!;
    expect(backoff.id).toBe(created!.id);
    expect(backoff.delayMs).toBeGreaterThanOrEqual(8_000);
    await expect(deliver.execute({ deliveryId: created!.id })).resolves.toBe('later'); // not due yet
    await due();
    await expect(deliver.execute({ deliveryId: created!.id })).resolves.toBe('retry');
    expect(enqueued.at(-1)).toMatchObject({ id: created!.id, delayMs: 1_500 }); // Retry-After
    await due();
    await expect(deliver.execute({ deliveryId: created!.id })).resolves.toBe('retry');
    expect(enqueued.at(-1)!.delayMs).toBeGreaterThanOrEqual(16_000); // doubled
    await due();
    await expect(deliver.execute({ deliveryId: created!.id })).resolves.toBe('dead'); // third counted failure
    const dead = (await deliveriesOf(r.id))[0]!;
    expect(dead).toMatchObject({ status: 'dead', attempts: 4, failures: 3, lastError: 'HTTP 502' });
    expect(enqueued.at(-1)).toMatchObject({ id: started!.id }); // the thread goes on
    await drain();
    expect((await deliveriesOf(r.id))[1]!.status).toBe('sent');
  });

  it('a permanent error or a destination no longer configured dead-letters at once', async () => {
    const r = await newRelease();
    const [created, started] = await dispatchUntil(r.id, 2);
    sink.failures.push(new DeliveryError('HTTP 404', false));
    await expect(deliver.execute({ deliveryId: created!.id })).resolves.toBe('dead');
    await tdb.query(`UPDATE notification_deliveries SET destination = 'webhook:gone' WHERE id = $1`, [started!.id]);
    await expect(deliver.execute({ deliveryId: started!.id })).resolves.toBe('dead');
    const [a, b] = await deliveriesOf(r.id);
    expect(a).toMatchObject({ status: 'dead', attempts: 1, lastError: 'HTTP 404' });
    expect(b!.lastError).toContain('webhook:gone');
  });
});
