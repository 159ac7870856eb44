/**
 * Create on real Postgres: a repeat with another payload is refused naming the fields and the
 * release (issue 10 item 6); an older release number never replaces a newer one unless asked
 * deliberately, also when creates race or an older one waited in the queue (issue 15 defect C).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, CreateRelease } from '#application';
import { loadConfig } from '#config';
import { ReleaseStore } from '#persistence';
import { writeConfig } from '../support/config-fixture.js';
import { fingerprint } from '../support/statement-faults.js';
import type { TestDatabase } from '../support/services.js';
import { startStoreEnv, type StoreEnv } from '../support/store-env.js';

type Cmd = Parameters<CreateRelease['execute']>[0];

describe('release admission on real Postgres', () => {
  let env: StoreEnv;
  let tdb: TestDatabase;
  let store: ReleaseStore;
  let create: CreateRelease;

  beforeAll(async () => {
    env = await startStoreEnv();
    tdb = env.tdb;
    store = new ReleaseStore(env.db);
    const services = ['checkout', 'search', 'cart', 'web', 'api', 'queue', ...Array.from({ length: 20 }, (_, i) => `race${i}`)];
    const config = loadConfig(
      writeConfig({
        simulatorUrl: 'http://127.0.0.1:1',
        canary: 'c1',
        waves: [{ name: 'wave-1', regions: ['r1'] }],
        services,
        supersede: ['cart'],
      }),
    );
    create = new CreateRelease(config, store, env.queues);
  });

  afterAll(() => env?.close());

  const cmd = (service: string, n: number, extra: Partial<Cmd> = {}): Cmd => ({
    service,
    version: `1.${n}.0`,
    image: `registry.example.com/shop/${service}:1.${n}.0`,
    releaseNumber: n,
    gitSha: 'abc1234',
    actor: 'ci',
    ...extra,
  });
  const refused = async (p: Promise<unknown>): Promise<ConflictError> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConflictError);
    return err as ConflictError;
  };
  const fields = (e: ConflictError) => (e.details?.errors as Array<{ field: string }>).map((f) => f.field);

  it('same Idempotency-Key, same payload: the existing release; another image: 409 naming image and the release, nothing written', async () => {
    const first = await create.execute(cmd('checkout', 1, { idempotencyKey: 'run-1', requestedBy: 'alice' }));
    expect(first.created).toBe(true);
    const again = await create.execute(cmd('checkout', 1, { idempotencyKey: 'run-1', requestedBy: 'bob' })); // requestedBy aside
    expect(again).toMatchObject({ created: false, release: { id: first.release.id } });

    const before = await fingerprint(tdb);
    const e = await refused(
      create.execute(cmd('checkout', 1, { idempotencyKey: 'run-1', image: 'registry.example.com/shop/checkout:1.1.1' })),
    );
    expect(fields(e)).toEqual(['image']);
    expect(e.message).toContain(first.release.id);
    expect(e.details?.existingRelease).toMatchObject({
      id: first.release.id,
      releaseNumber: 1,
      image: 'registry.example.com/shop/checkout:1.1.0',
    });
    // a key reused for another release number, version and commit names each
    const e2 = await refused(create.execute(cmd('checkout', 2, { idempotencyKey: 'run-1', gitSha: 'def5678' })));
    expect(fields(e2)).toEqual(['releaseNumber', 'version', 'image', 'gitSha']);
    expect(await fingerprint(tdb)).toEqual(before);
  });

  it('same (service, releaseNumber) with another version: 409 naming version; same payload without a key: 200', async () => {
    const first = (await create.execute(cmd('search', 1))).release;
    const before = await fingerprint(tdb);
    const e = await refused(create.execute(cmd('search', 1, { version: '9.9.9' })));
    expect(fields(e)).toEqual(['version']);
    expect(e.details?.existingRelease).toMatchObject({ id: first.id });
    const e2 = await refused(create.execute(cmd('search', 1, { gitSha: undefined })));
    expect(fields(e2)).toEqual(['gitSha']);
    expect(await fingerprint(tdb)).toEqual(before);
    expect((await create.execute(cmd('search', 1, { idempotencyKey: 'other-key' }))).release.id).toBe(first.id);
  });

  it('concurrent identical creates make one release; the same key racing on two services makes one and refuses the other', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => create.execute(cmd('web', 1, { idempotencyKey: 'web-run' }))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.release.id)).size).toBe(1);
    const raced = await Promise.allSettled([
      create.execute(cmd('api', 1, { idempotencyKey: 'shared-key' })),
      create.execute(cmd('cart', 1, { idempotencyKey: 'shared-key' })),
    ]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = raced.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConflictError);
    expect(fields(lost.reason as ConflictError)).toContain('service');
    expect((await tdb.query<{ n: number }>(`SELECT count(*)::int AS n FROM releases WHERE idempotency_key = 'shared-key'`))[0]!.n).toBe(1);
  });

  it('an older release number is refused naming the newer release, unless allowOlder (recorded with the actor)', async () => {
    const eight = (await create.execute(cmd('checkout', 8))).release; // queued behind checkout #1
    const before = await fingerprint(tdb);
    const e = await refused(create.execute(cmd('checkout', 7)));
    expect(e.message).toMatch(new RegExp(`older than release #8 \\(${eight.id}, queued\\)`));
    expect(e.details?.newerRelease).toMatchObject({ id: eight.id, releaseNumber: 8 });
    expect(fields(e)).toEqual(['releaseNumber']);
    expect(await fingerprint(tdb)).toEqual(before);

    const seven = await create.execute(cmd('checkout', 7, { allowOlder: true, actor: 'release-manager' }));
    expect(seven.created).toBe(true);
    const [created] = await store.events(seven.release.id);
    expect(created).toMatchObject({
      type: 'release.created',
      actor: 'release-manager',
      data: { allowOlder: true, newerRelease: { id: eight.id, releaseNumber: 8 } },
    });
    expect(created!.reason).toMatch(/deliberately older than release #8/);
    // a repeat of the deliberate create is the same release, with or without the flag
    expect((await create.execute(cmd('checkout', 7))).release.id).toBe(seven.release.id);
  });

  it('two releases of one service posted together never go live out of order', async () => {
    for (let i = 0; i < 20; i++) {
      const service = `race${i}`;
      const [a, b] = await Promise.allSettled([create.execute(cmd(service, 8)), create.execute(cmd(service, 7))]);
      const rows = await tdb.query<{ release_number: number; state: string }>(
        `SELECT release_number, state FROM releases WHERE service = $1 ORDER BY created_at, id`,
        [service],
      );
      if (rows.length === 1) {
        expect(a.status).toBe('fulfilled'); // #8 first: #7 refused
        expect(b.status === 'rejected' && b.reason instanceof ConflictError).toBe(true);
        expect(rows[0]).toMatchObject({ release_number: 8, state: 'running' });
      } else {
        expect(rows).toEqual([
          { release_number: 7, state: 'running' },
          { release_number: 8, state: 'queued' },
        ]); // #7 first, #8 after it
      }
    }
  });

  it('a queued older release whose turn comes after a newer one succeeded ends superseded, and the next one starts', async () => {
    const base = (await create.execute(cmd('queue', 5))).release;
    const older = (await create.execute(cmd('queue', 6))).release;
    const newer = (await create.execute(cmd('queue', 7))).release;
    const deliberate = (await create.execute(cmd('queue', 3, { allowOlder: true }))).release;
    // #7 went live while #6 waited (a release from before this check, or a queue order an operator changed)
    await tdb.query(`UPDATE releases SET state = 'succeeded', ended_at = now() WHERE id IN ($1, $2)`, [base.id, newer.id]);
    await tdb.query(`UPDATE releases SET state = 'queued' WHERE id = $1`, [older.id]);
    const started = await store.promoteNextQueued('queue');
    expect(started?.id).toBe(deliberate.id); // a deliberate roll back still deploys
    const stale = (await store.get(older.id))!;
    expect(stale.state).toBe('superseded');
    expect(stale.stateReason).toMatch(new RegExp(`release #7 \\(${newer.id}\\) is newer and already succeeded`));
    expect((await store.targets(older.id)).every((t) => t.state === 'skipped')).toBe(true);
    expect((await store.events(older.id)).at(-1)).toMatchObject({
      type: 'release.superseded',
      toState: 'superseded',
      data: { by: newer.id },
    });
  });
});
