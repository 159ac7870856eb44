/**
 * Bake timing on the manual clock (PRODUCT.md "Release lifecycle": the bake window starts when
 * the region's rollout is complete; a region is verified when its window ends with passing
 * evaluations covering it), and pause/resume arithmetic (paused time is not bake time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_METRIC, MediumEngine, MINUTE, SECOND, startMediumDb, type MediumDb } from './harness.js';

describe('medium: bake timing', () => {
  let env: MediumDb;
  beforeAll(async () => {
    env = await startMediumDb();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a region is not verified a moment before its bake ends, and is at its end; the next wave starts then', async () => {
    const e = new MediumEngine(env.db, { service: 'bake-gated', waves: [{ name: 'wave-1', regions: ['r1'] }] });
    e.clusters.setRollout('c1', { kind: 'complete', rolloutMs: 40 * SECOND });
    const r = await e.create();
    const t0 = e.clock.nowMs();

    await e.step();
    expect(await e.states(r.id)).toEqual(['c1: deploying', 'r1: pending']);
    // the rollout is watched every poll interval until it is complete: the bake starts then, not at the patch
    await e.runUntil(t0 + 40 * SECOND);
    const baking = (await e.targets(r.id)).c1!;
    expect(baking.state).toBe('baking');
    const bakeStart = t0 + 40 * SECOND;
    expect(baking.rolloutCompletedAt?.getTime()).toBe(bakeStart);
    expect(baking.bakeEndsAt?.getTime()).toBe(bakeStart + 10 * MINUTE);

    await e.runUntil(bakeStart + 10 * MINUTE - 1);
    expect(await e.states(r.id)).toEqual(['c1: baking', 'r1: pending']);
    expect(e.clusters.regionsCalled('deploy')).toEqual(['c1']);
    // the gate was looked at through the bake, once per interval
    const evaluations = await env.tdb.query<{ at: Date }>(`SELECT evaluated_at AS at FROM gate_evaluations WHERE release_id = $1 AND region = 'c1' ORDER BY id`, [r.id]);
    expect(evaluations.map((x) => (x.at.getTime() - bakeStart) / MINUTE)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e.queue.pending()[0]?.dueAtMs).toBe(bakeStart + 10 * MINUTE);

    await e.step();
    const after = await e.targets(r.id);
    expect(after.c1!.state).toBe('verified');
    expect(after.c1!.verifiedAt?.getTime()).toBe(bakeStart + 10 * MINUTE);
    expect(after.r1!.state).toBe('baking');
    expect(after.r1!.deployStartedAt?.getTime()).toBe(bakeStart + 10 * MINUTE);

    const done = await e.runUntilRelease(r.id, (x) => x.state === 'succeeded');
    expect(done.endedAt?.getTime()).toBe(bakeStart + 20 * MINUTE);
    expect(e.clusters.image('r1', 'bake-gated')).toBe(e.image());
  });

  it('ticks that came late: one late look does not verify a region; the missed span extends the bake', async () => {
    const e = new MediumEngine(env.db, { service: 'bake-late', waves: [{ name: 'wave-1', regions: ['r1'] }] });
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.runUntil(t0 + 3 * MINUTE);
    // every worker is down from 3m to 15m: the tick due at 4m runs at 15m, after the bake's end
    e.clock.setMs(t0 + 15 * MINUTE);
    await e.step();
    expect(await e.states(r.id)).toEqual(['c1: baking', 'r1: pending']);
    // passing evaluations covered 3m + 1.5m (one look reaches back an interval and a half): 5.5 more minutes are needed
    await e.runUntil(t0 + 21 * MINUTE - 1);
    expect(await e.states(r.id)).toEqual(['c1: baking', 'r1: pending']);
    await e.runUntil(t0 + 21 * MINUTE);
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: baking']);
    const verified = await e.events(r.id, 'region.verified');
    expect(verified.map((x) => x.data)).toEqual([{ coverage: { 'error-rate': { coveredMs: 10.5 * MINUTE, gapCount: 1 } } }]);
  });

  it('without gates the engine sleeps until the bake ends, then verifies at once', async () => {
    const e = new MediumEngine(env.db, { service: 'bake-plain', waves: [{ name: 'wave-1', regions: ['r1'] }], bake: '30m', gateInterval: false });
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.step();
    expect(await e.states(r.id)).toEqual(['c1: baking', 'r1: pending']);
    expect(e.queue.pending().map((t) => t.dueAtMs - t0)).toEqual([30 * MINUTE]);

    // a tick that comes early (another worker, a sweep) verifies nothing
    e.clock.setMs(t0 + 30 * MINUTE - SECOND);
    expect(await e.advance.execute({ releaseId: r.id, seq: (await e.release(r.id)).tickSeq })).toBe('scheduled');
    expect(await e.states(r.id)).toEqual(['c1: baking', 'r1: pending']);

    await e.runUntil(t0 + 30 * MINUTE);
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: baking']);
    expect((await e.targets(r.id)).c1!.verifiedAt?.getTime()).toBe(t0 + 30 * MINUTE);
  });
});

describe('medium: pause and resume', () => {
  let env: MediumDb;
  beforeAll(async () => {
    env = await startMediumDb();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('time spent paused is not bake time: the bake ends later by exactly the pause', async () => {
    const e = new MediumEngine(env.db, { service: 'pause-bake', waves: [{ name: 'wave-1', regions: ['r1'] }] });
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.step();
    expect((await e.targets(r.id)).c1!.bakeEndsAt?.getTime()).toBe(t0 + 10 * MINUTE);

    await e.runUntil(t0 + 4 * MINUTE);
    await e.pause.execute({ id: r.id, actor: 'ops', reason: 'looking at a dashboard' });
    // paused well past the bake's original end: nothing is verified, nothing new is touched
    await e.runUntil(t0 + 34 * MINUTE);
    const paused = await e.release(r.id);
    expect(paused.state).toBe('paused');
    expect(paused.pausedAt?.getTime()).toBe(t0 + 4 * MINUTE);
    expect(await e.states(r.id)).toEqual(['c1: baking', 'r1: pending']);
    expect(e.clusters.regionsCalled('deploy')).toEqual(['c1']);
    // gates kept running while paused
    expect(e.metrics.asked('c1', ERROR_METRIC).filter((q) => q.atMs > t0 + 4 * MINUTE).length).toBeGreaterThanOrEqual(29);

    await e.resume.execute({ id: r.id, actor: 'ops' });
    const resumed = await e.events(r.id, 'release.resumed');
    expect(resumed.map((x) => x.data)).toEqual([{ pausedMs: 30 * MINUTE }]);
    expect((await e.targets(r.id)).c1!.bakeEndsAt?.getTime()).toBe(t0 + 40 * MINUTE);

    await e.runUntil(t0 + 40 * MINUTE - 1);
    expect(await e.states(r.id)).toEqual(['c1: baking', 'r1: pending']);
    await e.runUntil(t0 + 40 * MINUTE);
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: baking']);
    expect((await e.targets(r.id)).c1!.verifiedAt?.getTime()).toBe(t0 + 40 * MINUTE);
  });

  it('a second pause adds up with the first', async () => {
    const e = new MediumEngine(env.db, { service: 'pause-twice', waves: [{ name: 'wave-1', regions: ['r1'] }], gateInterval: false });
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.step();
    for (const [at, length] of [
      [2 * MINUTE, 5 * MINUTE],
      [9 * MINUTE, 7 * MINUTE],
    ] as const) {
      await e.runUntil(t0 + at);
      await e.pause.execute({ id: r.id, actor: 'ops' });
      await e.runUntil(t0 + at + length);
      await e.resume.execute({ id: r.id, actor: 'ops' });
    }
    expect((await e.targets(r.id)).c1!.bakeEndsAt?.getTime()).toBe(t0 + 22 * MINUTE);
    await e.runUntil(t0 + 22 * MINUTE - 1);
    expect(await e.states(r.id)).toEqual(['c1: baking', 'r1: pending']);
    await e.runUntil(t0 + 22 * MINUTE);
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: baking']);
  });
});
