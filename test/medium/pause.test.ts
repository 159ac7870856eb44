/**
 * Pause and resume on the manual clock (PRODUCT.md "Release lifecycle"): a pause stops bake
 * clocks while gates keep running; resume gives back exactly the time spent paused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_METRIC, MediumEngine, MINUTE, SECOND, startMediumDb, type MediumDb } from './harness.js';

describe('medium: pause and resume', () => {
  let env: MediumDb;
  beforeAll(async () => {
    env = await startMediumDb();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('time spent paused is not bake time: the bake ends later by exactly the pause', async () => {
    const e = new MediumEngine(env.db, { service: 'pause-bake', waves: [{ name: 'wave-1', regions: ['r1'] }], gateInterval: '5m' });
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
    // gates kept running while paused, once per interval: the first look due at 5m − lead
    // (round-timing.ts), or at 4m when that is within a round's reach of the pause's own tick
    // (a round takes gates due within a quarter interval, at most 5s)
    const due = 5 * MINUTE - (await e.gateLeadMs(r.id));
    const first = due > 4 * MINUTE && due <= 4 * MINUTE + 5 * SECOND ? 4 * MINUTE : due;
    const looks: number[] = [];
    for (let at = first; at <= 34 * MINUTE; at += 5 * MINUTE) looks.push(at);
    expect(looks.length).toBeGreaterThanOrEqual(6);
    expect(e.metrics.asked('c1', ERROR_METRIC).map((q) => q.atMs - t0)).toEqual(looks);

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
