/**
 * Failure responses stepped tick by tick (PRODUCT.md "Release lifecycle"): a verified region
 * stays watched until the release ends; `rollback` restores every touched region in parallel,
 * newest first (the canary last); `drain` moves the failed region's traffic away, rolls it back
 * only once the drain is verified, then puts its weight back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_METRIC, MediumEngine, MINUTE, RATE_METRIC, SECOND, startMediumDb, type MediumDb } from './harness.js';

const OLD_IMAGE = (service: string) => `registry.example.com/shop/${service}:1.0.0`;

describe('medium: failures', () => {
  let env: MediumDb;
  beforeAll(async () => {
    env = await startMediumDb();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a verified region whose gate goes bad later fails the release, and every touched region is rolled back', async () => {
    const e = new MediumEngine(env.db, {
      service: 'watched',
      waves: [
        { name: 'wave-1', regions: ['r1'] },
        { name: 'wave-2', regions: ['r2'] },
      ],
    });
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.runUntil(t0 + 13 * MINUTE);
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: baking', 'r2: pending']);

    // a slow fire in the canary, three minutes after it was verified
    e.metrics.set('c1', ERROR_METRIC, 0.2);
    await e.runUntil(t0 + 14 * MINUTE);
    // the canary's looks keep their due times, every 2m from its first one (`lead` before 2m
    // into its bake), through its verification at 10m and after; r1's (bake from 10m) are on
    // the same grid: the canary's look after 13m is at 14m − lead
    const leadMs = await e.gateLeadMs(r.id);
    const lookAt = t0 + 14 * MINUTE - leadMs;
    const failed = await e.events(r.id, 'gate.failed');
    expect(failed.map((x) => [x.region, x.data?.phase, x.data?.stage])).toEqual([['c1', 'watch', 'canary']]);
    const c1 = (await e.targets(r.id)).c1!;
    expect(c1.failedAt?.getTime()).toBe(lookAt);
    expect(c1.reason).toMatch(/gate error-rate failed/);

    const ended = await e.runUntilRelease(r.id, (x) => x.state !== 'running' && x.state !== 'rolling_back');
    expect(ended.state).toBe('rolled_back');
    expect(ended.stateReason).toMatch(/^region c1 failed: gate error-rate failed/);
    expect(await e.states(r.id)).toEqual(['c1: rolled_back', 'r1: rolled_back', 'r2: skipped']);
    for (const region of ['c1', 'r1']) expect(e.clusters.image(region, 'watched')).toBe(OLD_IMAGE('watched'));
    expect(e.clusters.labels('c1', 'watched')).toEqual({ app: 'watched', 'app.kubernetes.io/version': '1.0.0' });
    expect(e.clusters.regionsCalled('deploy')).toEqual(['c1', 'r1']);
    const rollingBack = await e.events(r.id, 'release.rolling_back');
    expect(rollingBack.map((x) => x.data)).toEqual([{ policy: 'rollback', stages: ['canary'] }]);

    // the failed gate and the failure policy commit together (the rollback's patches need no
    // second commit first); the restores are the next commit
    const tx = await env.db.statement<{ type: string; tx: string }>(
      `SELECT type, tx_id::text AS tx FROM release_events WHERE release_id = $1 AND type = ANY($2::text[]) ORDER BY id`,
      [r.id, ['gate.failed', 'region.failed', 'release.rolling_back', 'region.rolling_back', 'region.restore_patched']],
    );
    const txOf = (type: string) => [...new Set(tx.filter((x) => x.type === type).map((x) => x.tx))];
    expect(txOf('gate.failed')).toHaveLength(1);
    for (const type of ['region.failed', 'release.rolling_back', 'region.rolling_back']) expect(txOf(type)).toEqual(txOf('gate.failed'));
    expect(txOf('region.restore_patched')).toHaveLength(1);
    expect(txOf('region.restore_patched')).not.toEqual(txOf('gate.failed'));
  });

  it('rollback restores every touched region in one parallel phase, newest first, the canary last; untouched regions are skipped', async () => {
    const e = new MediumEngine(env.db, {
      service: 'order',
      waves: [
        { name: 'wave-1', regions: ['r1'] },
        { name: 'wave-2', regions: ['r2', 'r3'], maxParallel: 1 },
      ],
    });
    e.metrics.set('r2', ERROR_METRIC, 0.5);
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.runUntil(t0 + 20 * MINUTE);
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: verified', 'r2: baking', 'r3: pending']);

    // r2's first look, due its lead (round-timing.ts) before 2m into its bake, fails it
    const r2Start = (await e.targets(r.id)).r2!.rolloutCompletedAt!.getTime();
    expect(r2Start).toBe(t0 + 20 * MINUTE);
    const failAt = r2Start + 2 * MINUTE - (await e.gateLeadMs(r.id, 2));
    await e.runUntil(failAt - 1);
    expect(await e.events(r.id, 'release.rolling_back')).toEqual([]);
    await e.runUntil(failAt);
    expect((await e.events(r.id, 'release.rolling_back')).map((x) => x.reason)).toEqual([
      expect.stringMatching(/^region r2 failed: gate error-rate failed/),
    ]);
    // the order the touched regions are rolled back in: newest deploy first, canary last
    const order = await e.events(r.id, 'region.rolling_back');
    expect(order.map((x) => `${x.region} from ${x.fromState}`)).toEqual(['r2 from failed', 'r1 from verified', 'c1 from verified']);

    // in parallel: the same tick sends every restore in one phase, at the same moment
    const restores = e.clusters.calls.filter((c) => c.op === 'restore');
    expect(restores.map((c) => c.region).sort()).toEqual(['c1', 'r1', 'r2']);
    expect(new Set(restores.map((c) => c.atMs))).toEqual(new Set([failAt]));
    const patched = await e.events(r.id, 'region.restore_patched');
    expect(patched.map((x) => x.data?.images)).toEqual([0, 1, 2].map(() => [OLD_IMAGE('order')]));
    // …and commits them together: one transaction (now() is the transaction's start, to the microsecond)
    const commits = await env.tdb.query<{ n: number }>(
      `SELECT count(DISTINCT created_at)::int AS n FROM release_events WHERE release_id = $1 AND type = 'region.restore_patched'`,
      [r.id],
    );
    expect(commits[0]!.n).toBe(1);

    const ended = await e.runUntilRelease(r.id, (x) => x.state === 'rolled_back' || x.state === 'failed');
    expect(ended.state).toBe('rolled_back');
    expect(await e.states(r.id)).toEqual(['c1: rolled_back', 'r1: rolled_back', 'r2: rolled_back', 'r3: skipped']);
    for (const region of ['c1', 'r1', 'r2']) expect(e.clusters.image(region, 'order')).toBe(OLD_IMAGE('order'));
    expect(e.clusters.regionsCalled('deploy')).toEqual(['c1', 'r1', 'r2']);
    expect(e.clusters.calls.filter((c) => c.region === 'r3')).toEqual([]);
  });

  it('drain: traffic leaves the failed region first, it is rolled back once the drain is verified, then its weight comes back', async () => {
    const e = new MediumEngine(env.db, { service: 'drain', waves: [{ name: 'wave-1', regions: ['r1'], onFailure: 'drain' }] });
    // r1's request rate falls 20s after its weight goes to 0
    e.metrics.set('r1', RATE_METRIC, e.traffic.rateAfterDrain('r1', 120, 20 * SECOND, 0.5));
    e.metrics.set('c1', RATE_METRIC, 80);
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.runUntil(t0 + 10 * MINUTE);
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: baking']);

    e.metrics.set('r1', ERROR_METRIC, 0.3);
    // r1's first look, due its lead (round-timing.ts) before 2m into its bake, fails it
    const r1Start = (await e.targets(r.id)).r1!.rolloutCompletedAt!.getTime();
    expect(r1Start).toBe(t0 + 10 * MINUTE);
    const failAt = r1Start + 2 * MINUTE - (await e.gateLeadMs(r.id, 1));
    await e.runUntil(failAt - 1);
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: baking']);
    await e.runUntil(failAt);
    expect(await e.states(r.id)).toEqual(['c1: rolled_back', 'r1: draining']);
    expect(e.traffic.weight('r1')).toBe(0);
    expect(e.traffic.calls.filter((c) => c.op === 'setWeight')).toEqual([{ region: 'r1', op: 'setWeight', weight: 0, atMs: failAt }]);
    // the canary (touched, not failed) is rolled back at once and never drained
    expect(e.clusters.calls.filter((c) => c.op === 'restore').map((c) => c.region)).toEqual(['c1']);
    // and not held back by the drain being prepared: its restore commits with r1's drain record
    const tx = await env.db.statement<{ type: string; region: string; tx: string }>(
      `SELECT type, region, tx_id::text AS tx FROM release_events WHERE release_id = $1 AND type = ANY($2::text[]) ORDER BY id`,
      [r.id, ['region.drain_started', 'region.restore_patched']],
    );
    expect(tx.map((x) => [x.type, x.region])).toEqual([
      ['region.drain_started', 'r1'],
      ['region.restore_patched', 'c1'],
    ]);
    expect(tx[0]!.tx).toBe(tx[1]!.tx);

    // while the rate is still up, the failed region keeps its new version (and its drain is watched)
    await e.runUntil(failAt + 20 * SECOND - 1);
    expect(await e.states(r.id)).toEqual(['c1: rolled_back', 'r1: draining']);
    expect(e.clusters.regionsCalled('restore')).toEqual(['c1']);
    expect(e.clusters.image('r1', 'drain')).toBe(e.image());

    const ended = await e.runUntilRelease(r.id, (x) => x.state === 'rolled_back' || x.state === 'failed');
    expect(ended.state).toBe('rolled_back');
    expect(await e.states(r.id)).toEqual(['c1: rolled_back', 'r1: rolled_back']);
    expect(e.clusters.image('r1', 'drain')).toBe(OLD_IMAGE('drain'));

    const r1 = (await e.events(r.id)).filter((x) => x.region === 'r1' && !x.type.startsWith('gate.'));
    const from = r1.findIndex((x) => x.type === 'region.failed');
    expect(r1.slice(from).map((x) => x.type)).toEqual([
      'region.failed',
      'region.draining',
      'region.drain_started',
      'region.drained',
      'region.rolling_back',
      'region.restore_patched',
      'region.rolled_back',
      'region.traffic_restored',
    ]);
    const drained = r1.find((x) => x.type === 'region.drained')!;
    expect(drained.data).toEqual({ drainMs: 20 * SECOND, preDrainRate: 120, rate: 0.5 });
    const restore = e.clusters.calls.find((c) => c.op === 'restore' && c.region === 'r1')!;
    expect(restore.atMs).toBe(failAt + 20 * SECOND);
    // the weight found before the drain is put back after the rollback, not before
    const sets = e.traffic.calls.filter((c) => c.op === 'setWeight');
    expect(sets.map((c) => c.weight)).toEqual([0, 100]);
    expect(sets[1]!.atMs).toBeGreaterThanOrEqual(restore.atMs);
    expect(e.traffic.weight('r1')).toBe(100);
    expect((await e.targets(r.id)).r1!.drain).toMatchObject({
      previousWeight: 100,
      preDrainRate: 120,
      drainedAtMs: failAt + 20 * SECOND,
      note: null,
    });
  });
});
