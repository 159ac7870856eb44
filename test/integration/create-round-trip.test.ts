/**
 * A release create in one round trip (issue 13): `tideline_create_releases` decides as the full
 * path does (admitCreate), creates that arrive together share one call, and its literal state
 * lists still agree with the code's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRelease } from '#application';
import { loadConfig } from '#config';
import { ACTIVE_RELEASE_STATES, ENGINE_ACTOR } from '#domain';
import { LIVE_OR_COMING_STATES, ReleaseStore } from '#persistence';
import { writeConfig } from '../support/config-fixture.js';
import { StatementFaults } from '../support/statement-faults.js';
import { startStoreEnv, type StoreEnv } from '../support/store-env.js';

describe('a release create in one round trip', () => {
  let env: StoreEnv;
  let store: ReleaseStore;
  let create: CreateRelease;
  let faults: StatementFaults;
  const services = Array.from({ length: 12 }, (_, i) => `svc${i}`);

  beforeAll(async () => {
    env = await startStoreEnv();
    store = new ReleaseStore(env.db);
    faults = new StatementFaults(env.db.dataSource);
    const config = loadConfig(
      writeConfig({ simulatorUrl: 'http://127.0.0.1:1', canary: 'c1', waves: [{ name: 'wave-1', regions: ['r1', 'r2'] }], services }),
    );
    create = new CreateRelease(config, store, env.queues);
  });

  afterAll(() => env?.close());

  const cmd = (service: string, n: number) => ({
    service,
    version: `1.${n}.0`,
    image: `registry.example.com/shop/${service}:1.${n}.0`,
    releaseNumber: n,
    actor: 'ci',
  });
  const events = async (id: string) =>
    (
      await env.tdb.query<{ type: string; to_state: string | null; actor: string }>(
        `SELECT type, to_state, actor FROM release_events WHERE release_id = $1 ORDER BY id`,
        [id],
      )
    ).map((e) => `${e.type}:${e.to_state ?? '-'}:${e.actor}`);

  it('its state lists are the code’s (the probe’s literals in the function), and its plan is kept', async () => {
    const [{ def }] = await env.tdb.query<{ def: string }>(`SELECT pg_get_functiondef('tideline_create_releases'::regproc) AS def`);
    const list = (states: readonly string[]) => `(${states.map((s) => `'${s}'`).join(',')})`;
    expect(def).toContain(`x.state IN ${list(ACTIVE_RELEASE_STATES)}`);
    expect(def).toContain(`x.state IN ${list(LIVE_OR_COMING_STATES)}`);
    // planned once per connection, not for each call's arrays (migration 1796600000000)
    const [{ config }] = await env.tdb.query<{ config: string[] }>(
      `SELECT proconfig AS config FROM pg_proc WHERE proname = 'tideline_create_releases'`,
    );
    expect(config).toContain('plan_cache_mode=force_generic_plan');
  });

  it('an idle service: running with its first tick due and the stage started; a busy one: queued behind it', async () => {
    const first = await create.execute(cmd('svc0', 1));
    const second = await create.execute({ ...cmd('svc0', 2), gitSha: 'a1b2c3d', requestedBy: 'ana', idempotencyKey: 'ci-run-7' });
    expect(first.release).toMatchObject({ state: 'running', tickSeq: 1, stateReason: null, stageIndex: 0, rowVersion: 1 });
    expect(first.release.startedAt).toBeInstanceOf(Date);
    expect(first.release.nextTickAt).toBeInstanceOf(Date);
    expect(second.release).toMatchObject({ state: 'queued', tickSeq: 0, startedAt: null, nextTickAt: null });
    expect(second.release.stateReason).toMatch(/another release of this service is active/);
    expect(await events(first.release.id)).toEqual(['release.created:running:ci', `stage.started:-:${ENGINE_ACTOR}`]);
    expect(await events(second.release.id)).toEqual(['release.created:queued:ci']);
    expect(second.release).toMatchObject({ gitSha: 'a1b2c3d', requestedBy: 'ana', idempotencyKey: 'ci-run-7' });
    // what the call answered (built from what it sent and the ids it chose) is what a read gives
    for (const r of [first, second]) {
      const stored = await store.getWithTargets(r.release.id);
      expect(stored).toEqual({ release: r.release, targets: r.targets });
    }
    expect(second.release.createdAt.getTime()).toBeGreaterThan(first.release.createdAt.getTime());
  });

  it('creates of several services posted together share one call; each service keeps one running release', async () => {
    const batch = services.slice(1);
    const { result, statements } = await faults.record(() =>
      Promise.all([...batch.map((s) => create.execute(cmd(s, 1))), ...batch.map((s) => create.execute(cmd(s, 2)))]),
    );
    const calls = statements.filter((s) => s.includes('tideline_create_releases'));
    expect(calls.length).toBe(2); // the first of each service together, then the second of each
    expect(statements.length).toBe(calls.length);
    const states = result.map((r) => `${r.release.service}#${r.release.releaseNumber}:${r.release.state}`);
    expect(states).toEqual([...batch.map((s) => `${s}#1:running`), ...batch.map((s) => `${s}#2:queued`)]);
    expect(result.every((r) => r.created && r.targets?.length === 3)).toBe(true);
  });

  it('a repeat in a shared call is answered as the existing release; a changed one is refused; nothing is written twice', async () => {
    const [again, changed, fresh] = await Promise.allSettled([
      create.execute(cmd('svc1', 1)),
      create.execute({ ...cmd('svc2', 1), image: 'registry.example.com/shop/svc2:other' }),
      create.execute(cmd('svc3', 3)),
    ]);
    expect(again).toMatchObject({ status: 'fulfilled', value: { created: false } });
    expect(changed).toMatchObject({ status: 'rejected' });
    expect(fresh).toMatchObject({ status: 'fulfilled', value: { created: true, release: { state: 'queued' } } });
    const [{ n }] = await env.tdb.query<{ n: number }>(`SELECT count(*)::int AS n FROM releases WHERE service IN ('svc1','svc2')`);
    expect(n).toBe(4);
  });
});
