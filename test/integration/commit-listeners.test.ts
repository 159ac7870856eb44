/**
 * The release store's after-commit listeners on real Postgres: told after a create, a step and
 * a start from the queue, once the change is visible to other connections; not told of a write
 * that did not commit; a listener that throws or rejects never fails the write (its onError hears it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRelease } from '#application';
import { loadConfig } from '#config';
import { ConcurrentModificationError, ReleaseStore } from '#persistence';
import { writeConfig } from '../support/config-fixture.js';
import { startStoreEnv, type StoreEnv } from '../support/store-env.js';

describe('ReleaseStore.onCommitted', () => {
  let env: StoreEnv;
  let store: ReleaseStore;
  let create: CreateRelease;
  /** per call: the release id, and the release's state as another connection read it then */
  const heard: Array<{ id: string; seen: Promise<string | undefined> }> = [];
  const errors: unknown[] = [];

  beforeAll(async () => {
    env = await startStoreEnv();
    store = new ReleaseStore(env.db);
    store.onCommitted(
      (id) => {
        const seen = env.db.read((m) => m.query(`SELECT state FROM releases WHERE id = $1`, [id])) as Promise<Array<{ state: string }>>;
        heard.push({ id, seen: seen.then((rows) => rows[0]?.state) });
      },
      (err) => errors.push(err),
    );
    const config = loadConfig(
      writeConfig({ simulatorUrl: 'http://127.0.0.1:1', canary: 'c1', waves: [{ name: 'wave-1', regions: ['r1'] }] }),
    );
    create = new CreateRelease(config, store, env.queues);
  });

  afterAll(async () => {
    await env?.close();
  });

  const cmd = (n: number) => ({
    service: 'checkout',
    version: `1.${n}.0`,
    image: `registry.example.com/shop/checkout:1.${n}.0`,
    releaseNumber: n,
    actor: 'ci',
  });

  it('hears a create, a step and a start from the queue after each commit, and not a create that found its release', async () => {
    const a = (await create.execute(cmd(1))).release;
    const b = (await create.execute(cmd(2))).release;
    await create.execute(cmd(2)); // the same release again: nothing committed
    expect(heard.map((h) => h.id)).toEqual([a.id, b.id]);
    expect(await Promise.all(heard.map((h) => h.seen))).toEqual(['running', 'queued']);

    await store.applyStep(a, { release: { state: 'succeeded', endedAt: new Date() } });
    expect(heard.at(-1)!.id).toBe(a.id);
    expect(await heard.at(-1)!.seen).toBe('succeeded');

    expect((await store.promoteNextQueued('checkout'))?.id).toBe(b.id);
    expect(heard.at(-1)!.id).toBe(b.id);
    expect(await heard.at(-1)!.seen).toBe('running');
    expect(heard).toHaveLength(4);
    expect(await store.promoteNextQueued('checkout')).toBeNull(); // nothing to start: nothing heard
    expect(heard).toHaveLength(4);
    expect(errors).toEqual([]);
  });

  it('is not told of a step the row-version guard refused', async () => {
    const stale = (await create.execute(cmd(3))).release; // queued behind b
    await store.applyStep(stale, { release: { stateReason: 'first' } });
    const before = heard.length;
    await expect(store.applyStep(stale, { release: { stateReason: 'second' } })).rejects.toBeInstanceOf(ConcurrentModificationError);
    expect(heard).toHaveLength(before);
  });

  it('keeps the write and tells the next listener when one throws or rejects; onError hears both', async () => {
    const failures: string[] = [];
    const after: string[] = [];
    const offThrow = store.onCommitted(
      () => {
        throw new Error('boom');
      },
      (err) => failures.push((err as Error).message),
    );
    const offReject = store.onCommitted(
      () => Promise.reject(new Error('later')),
      (err) => failures.push((err as Error).message),
    );
    const offAfter = store.onCommitted(
      (id) => void after.push(id),
      () => undefined,
    );
    const c = (await create.execute(cmd(4))).release;
    expect((await store.get(c.id))?.state).toBe('queued');
    await new Promise((r) => setImmediate(r));
    expect(failures.sort()).toEqual(['boom', 'later']);
    expect(after).toEqual([c.id]);

    offThrow();
    offReject();
    offAfter();
    await create.execute(cmd(5));
    expect(after).toEqual([c.id]);
    expect(failures).toHaveLength(2);
  });
});
