/**
 * Bake timing on the manual clock (PRODUCT.md "Release lifecycle": the bake window starts when
 * the region's rollout is complete; a region is verified when its window ends with passing
 * evaluations covering it; late ticks extend the bake by the span they missed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignToScrape, selectedMetrics } from '#domain';
import { MediumEngine, MINUTE, SECOND, startMediumDb, type MediumDb } from './harness.js';

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
    // the gate was looked at through the bake, once per interval, the first one this release's
    // lead (round-timing.ts) earlier than one interval in: 2m − lead, 4m − lead, … before the end
    const leadMs = await e.gateLeadMs(r.id);
    const expected: number[] = [];
    for (let at = 2 * MINUTE - leadMs; at <= 10 * MINUTE - 1; at += 2 * MINUTE) expected.push(at);
    expect(expected.length).toBe(leadMs === 0 ? 4 : 5);
    const evaluations = await env.tdb.query<{ at: Date }>(
      `SELECT evaluated_at AS at FROM gate_evaluations WHERE release_id = $1 AND region = 'c1' ORDER BY id`,
      [r.id],
    );
    expect(evaluations.map((x) => x.at.getTime() - bakeStart)).toEqual(expected);
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
    await e.runUntil(t0 + 4 * MINUTE);
    // every worker is down from 4m to 15m: the tick due at 6m runs at 15m, after the bake's end
    e.clock.setMs(t0 + 15 * MINUTE);
    await e.step();
    expect(await e.states(r.id)).toEqual(['c1: baking', 'r1: pending']);
    // passing evaluations covered 4m − lead (the looks are due every 2m from 2m − lead) + 3m (one
    // look reaches back an interval and a half): 3m + lead more are needed. The late look keeps
    // the due times (the next ones at 16m − lead, 18m − lead, 20m − lead): the third covers it
    const leadMs = await e.gateLeadMs(r.id);
    await e.runUntil(t0 + 20 * MINUTE - leadMs - 1);
    expect(await e.states(r.id)).toEqual(['c1: baking', 'r1: pending']);
    await e.runUntil(t0 + 20 * MINUTE - leadMs);
    expect(await e.states(r.id)).toEqual(['c1: verified', 'r1: baking']);
    const verified = await e.events(r.id, 'region.verified');
    expect(verified.map((x) => x.data)).toEqual([{ coverage: { 'error-rate': { coveredMs: 12 * MINUTE - 2 * leadMs, gapCount: 1 } } }]);
  });

  it("a wave whose bake starts off the canary's grid joins it: one round per interval for the release", async () => {
    const e = new MediumEngine(env.db, { service: 'bake-grid', waves: [{ name: 'wave-1', regions: ['r1'] }] });
    e.clusters.setRollout('r1', { kind: 'complete', rolloutMs: 37 * SECOND });
    const r = await e.create();
    const t0 = e.clock.nowMs();
    await e.runUntil(t0 + 17 * MINUTE);
    const targets = await e.targets(r.id);
    // r1's rollout is seen complete at the first poll after 37 s: its bake starts 40 s off the grid
    expect(targets.r1!.rolloutCompletedAt!.getTime()).toBe(t0 + 10 * MINUTE + 40 * SECOND);
    const leadMs = await e.gateLeadMs(r.id);
    const looks = await env.db.statement<{ region: string; at: string; due: string | null }>(
      `SELECT region, (extract(epoch from evaluated_at) * 1000)::bigint::text AS at, (extract(epoch from due_at) * 1000)::bigint::text AS due
         FROM gate_evaluations WHERE release_id = $1 AND evaluated_at > $2 ORDER BY id`,
      [r.id, new Date(t0 + 10 * MINUTE + 40 * SECOND)],
    );
    const at = (region: string) => looks.filter((x) => x.region === region).map((x) => Number(x.at) - t0);
    // r1's first look is the canary's grid point (2m − lead apart) no later than 2m into its bake:
    // 12m − lead, not 12m40s − lead; from then on both regions are looked at in the same rounds
    const grid = [12, 14, 16].map((m) => m * MINUTE - leadMs);
    expect(at('r1')).toEqual(grid);
    expect(at('c1')).toEqual(grid);
    expect(looks.every((x) => x.due !== null && Number(x.due) - t0 === Number(x.at) - t0)).toBe(true);
  });

  it("with its Prometheus's scrape timing known, the gate is looked at just after scrapes, from the first look on", async () => {
    const e = new MediumEngine(env.db, { service: 'bake-scraped', waves: [{ name: 'wave-1', regions: ['r1'] }] });
    e.clusters.setRollout('c1', { kind: 'complete', rolloutMs: 40 * SECOND });
    const t0 = e.clock.nowMs();
    const scrape = { intervalMs: 30 * SECOND, readyAtMs: t0 + 7 * SECOND }; // scrapes end at 7 s, 37 s, 1m7s, …
    e.metrics.scrape = scrape;
    const r = await e.create();
    const bakeStart = t0 + 40 * SECOND;
    await e.runUntil(bakeStart + 10 * MINUTE - 1);

    const gate = (await e.release(r.id)).plan.stages[0]!.gates![0]!;
    expect(e.metrics.scrapeAsks.at(-1)).toEqual(selectedMetrics(gate.query));
    // the first look moves back from 2m − lead to just after the scrape before it; every later one follows 2 min apart
    const first = alignToScrape(gate, bakeStart + 2 * MINUTE - (await e.gateLeadMs(r.id)), scrape, r.id, bakeStart);
    expect(first).toBeLessThanOrEqual(bakeStart + 2 * MINUTE - (await e.gateLeadMs(r.id)));
    const expected: number[] = [];
    for (let at = first; at <= bakeStart + 10 * MINUTE - 1; at += 2 * MINUTE) expected.push(at);
    const evaluations = await env.tdb.query<{ at: Date }>(
      `SELECT evaluated_at AS at FROM gate_evaluations WHERE release_id = $1 AND region = 'c1' ORDER BY id`,
      [r.id],
    );
    expect(evaluations.map((x) => x.at.getTime())).toEqual(expected);
    for (const at of expected) {
      const afterScrape = (at - scrape.readyAtMs) % scrape.intervalMs;
      expect(afterScrape).toBeGreaterThanOrEqual(50);
      expect(afterScrape).toBeLessThan(50 + 12 * SECOND); // a tenth of the 2 min interval
    }
  });

  it('without gates the engine sleeps until the bake ends, then verifies at once', async () => {
    const e = new MediumEngine(env.db, {
      service: 'bake-plain',
      waves: [{ name: 'wave-1', regions: ['r1'] }],
      bake: '30m',
      gateInterval: false,
    });
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
