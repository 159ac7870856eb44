/**
 * Manual approval stepped tick by tick (PRODUCT.md "Release lifecycle"): a stage with
 * `approval: required` waits in awaiting_approval, touching none of its regions, for as long as
 * it takes; approve lets it continue; a pause meanwhile returns to awaiting_approval; verified
 * regions stay watched while the release waits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '#application';
import { ERROR_METRIC, MediumEngine, MINUTE, startMediumDb, type MediumDb } from './harness.js';

describe('medium: approvals', () => {
  let env: MediumDb;
  beforeAll(async () => {
    env = await startMediumDb();
  });
  afterAll(async () => {
    await env?.close();
  });

  const plan = (service: string) =>
    new MediumEngine(env.db, {
      service,
      gateInterval: '5m',
      waves: [
        { name: 'wave-1', regions: ['r1'], approval: 'required' },
        { name: 'wave-2', regions: ['r2'] },
      ],
    });

  it('a stage needing approval waits until approved, touching none of its regions, then continues', async () => {
    const e = plan('approve');
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.runUntil(t0 + 10 * MINUTE);
    const waiting = await e.release(r.id);
    expect(waiting.state).toBe('awaiting_approval');
    expect(waiting.stageIndex).toBe(1);
    expect(waiting.stateReason).toBe('stage wave-1 requires approval');
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: pending', 'r2: pending']);
    await expect(e.resume.execute({ id: r.id, actor: 'ops' })).rejects.toBeInstanceOf(ConflictError);

    // an hour later it still waits, and nothing outside the canary was touched
    await e.runUntil(t0 + 70 * MINUTE);
    expect((await e.release(r.id)).state).toBe('awaiting_approval');
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: pending', 'r2: pending']);
    expect(new Set(e.clusters.calls.map((c) => c.region))).toEqual(new Set(['c1']));
    expect(await e.events(r.id, 'release.awaiting_approval')).toHaveLength(1);

    await e.approve.execute({ id: r.id, actor: 'alice', reason: 'canary looks fine' });
    const approved = await e.events(r.id, 'release.approved');
    expect(approved.map((x) => [x.actor, x.reason, x.data?.stage])).toEqual([['alice', 'canary looks fine', 'wave-1']]);
    expect((await e.release(r.id)).approvedStageIndex).toBe(1);

    await e.step();
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: baking', 'r2: pending']);
    expect((await e.targets(r.id)).r1!.deployStartedAt?.getTime()).toBe(t0 + 70 * MINUTE);

    // wave-2 needs no approval: it follows wave-1's bake at once, and the release succeeds
    const done = await e.runUntilRelease(r.id, (x) => x.state === 'succeeded');
    expect(done.endedAt?.getTime()).toBe(t0 + 90 * MINUTE);
    expect(await e.events(r.id, 'release.awaiting_approval')).toHaveLength(1);
    expect(e.clusters.regionsCalled('deploy')).toEqual(['c1', 'r1', 'r2']);
  });

  it('approve is refused before the stage waits for it; a pause while waiting resumes into awaiting_approval', async () => {
    const e = plan('approve-pause');
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.step();
    await expect(e.approve.execute({ id: r.id, actor: 'alice' })).rejects.toThrow(/cannot approve .* it is running/);

    await e.runUntil(t0 + 10 * MINUTE);
    await e.pause.execute({ id: r.id, actor: 'ops' });
    await expect(e.approve.execute({ id: r.id, actor: 'alice' })).rejects.toThrow(/a paused release is resumed first/);
    await e.runUntil(t0 + 20 * MINUTE);
    await e.resume.execute({ id: r.id, actor: 'ops' });
    expect((await e.release(r.id)).state).toBe('awaiting_approval');
    expect((await e.events(r.id, 'release.resumed')).map((x) => x.toState)).toEqual(['awaiting_approval']);

    await e.runUntil(t0 + 30 * MINUTE);
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: pending', 'r2: pending']);
    await e.approve.execute({ id: r.id, actor: 'alice' });
    await e.step();
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: baking', 'r2: pending']);
  });

  it('while awaiting approval the verified canary is still watched: its failure rolls the release back', async () => {
    const e = plan('approve-watch');
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.runUntil(t0 + 25 * MINUTE);
    expect((await e.release(r.id)).state).toBe('awaiting_approval');

    e.metrics.set('c1', ERROR_METRIC, 0.4);
    const ended = await e.runUntilRelease(r.id, (x) => x.state === 'rolled_back' || x.state === 'failed');
    expect(ended.state).toBe('rolled_back');
    // the canary's looks keep their due times (2m apart from its first, `lead` before 2m into
    // its bake): the third failing one, after the metric went bad at 25m, is at 30m − lead
    expect(ended.endedAt?.getTime()).toBe(t0 + 30 * MINUTE - (await e.gateLeadMs(r.id)));
    expect((await e.events(r.id, 'gate.failed')).map((x) => [x.region, x.data?.phase])).toEqual([['c1', 'watch']]);
    expect(await e.states(r.id)).toEqual(['c1: rolled_back', 'r1: skipped', 'r2: skipped']);
    expect(e.clusters.image('c1', 'approve-watch')).toBe('registry.example.com/shop/approve-watch:1.0.0');
  });
});
