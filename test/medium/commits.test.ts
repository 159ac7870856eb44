/**
 * What each commit of a deploy holds, on the manual clock (issue 13: fewer commits, never a side
 * effect before the commit that must precede it). A started region commits its start together
 * with what runs there (record); the patch commits together with the first look at its rollout;
 * every patch is sent after the commit that recorded the region, and a worker killed between a
 * patch and its commit re-sends the same patch on resume.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediumEngine, SECOND, startMediumDb, type MediumDb } from './harness.js';

interface Commit {
  /** `region event` of every event, in order */
  events: string[];
  /** how many cluster calls had been made when this commit began */
  callsBefore: number;
}

/** Log every commit the engine makes; `failWhen` makes the commit throw instead (a process killed before it). */
function watchCommits(e: MediumEngine, failWhen?: (types: string[]) => boolean): Commit[] {
  const commits: Commit[] = [];
  const apply = e.store.applyStep.bind(e.store);
  e.store.applyStep = async (release, change) => {
    const events = (change.events ?? []).map((x) => `${x.region ?? '-'} ${x.type}`);
    if (failWhen?.(events)) {
      failWhen = undefined;
      throw new Error('killed before the commit');
    }
    commits.push({ events, callsBefore: e.clusters.calls.length });
    return apply(release, change);
  };
  return commits;
}

const holding = (commits: Commit[], event: string) => commits.filter((c) => c.events.includes(event));

describe('medium: what each deploy commit holds', () => {
  let env: MediumDb;
  beforeAll(async () => {
    env = await startMediumDb();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('start and record commit together, patch and first look together; each patch follows the commit that recorded its region', async () => {
    const e = new MediumEngine(env.db, {
      service: 'commit-merge',
      waves: [{ name: 'wave-1', regions: ['r1', 'r2'] }],
      gateInterval: false,
      bake: '1m',
    });
    e.clusters.setRollout('r2', { kind: 'complete', rolloutMs: 20 * SECOND });
    const commits = watchCommits(e);
    const r = await e.create();
    await e.runUntilRelease(r.id, (x) => x.state === 'succeeded');

    for (const region of ['c1', 'r1', 'r2']) {
      const [started] = holding(commits, `${region} region.deploying`);
      expect(started?.events, region).toContain(`${region} region.recorded`);
      const deployAt = e.clusters.calls.findIndex((c) => c.region === region && c.op === 'deploy');
      expect(deployAt, region).toBeGreaterThanOrEqual(started!.callsBefore);
      // the snapshot that was recorded was taken before that commit, the patch after it
      const snapshotAt = e.clusters.calls.findIndex((c) => c.region === region && c.op === 'snapshot');
      expect(snapshotAt, region).toBeLessThan(started!.callsBefore);
      expect(holding(commits, `${region} region.patched`), region).toHaveLength(1);
    }
    // r1 and c1 roll out at once: the patch and the look that saw it complete are one commit
    for (const region of ['c1', 'r1']) {
      const [patched] = holding(commits, `${region} region.patched`);
      expect(patched?.events, region).toContain(`${region} region.baking`);
    }
    // r2 takes 20 s: its patch commits alone, its bake starts with a later look
    const [r2Patched] = holding(commits, 'r2 region.patched');
    expect(r2Patched?.events).not.toContain('r2 region.baking');
    // …and its rollout is looked at once in the tick that patched it, not again by the tick's next phase
    const r2Deploy = e.clusters.calls.find((c) => c.region === 'r2' && c.op === 'deploy')!;
    expect(e.clusters.calls.filter((c) => c.region === 'r2' && c.op === 'observe' && c.atMs === r2Deploy.atMs)).toHaveLength(1);
    const [r2Baking] = holding(commits, 'r2 region.baking');
    expect(commits.indexOf(r2Baking!)).toBeGreaterThan(commits.indexOf(r2Patched!));
    expect(e.clusters.image('r2', 'commit-merge')).toBe(e.image());
  });

  it('killed between a patch and its commit: the resumed tick sends the same patch again and the release goes on', async () => {
    const e = new MediumEngine(env.db, {
      service: 'commit-killed',
      waves: [{ name: 'wave-1', regions: ['r1'] }],
      gateInterval: false,
      bake: '1m',
    });
    const commits = watchCommits(e, (events) => events.includes('c1 region.patched'));
    const r = await e.create();
    await expect(e.step()).rejects.toThrow('killed before the commit');
    expect(e.clusters.calls.filter((c) => c.region === 'c1' && c.op === 'deploy')).toHaveLength(1);
    expect((await e.targets(r.id)).c1).toMatchObject({ state: 'deploying', patchedAt: null });
    expect((await e.targets(r.id)).c1?.previous?.[0]?.image).toBe('registry.example.com/shop/commit-killed:1.0.0');

    // the job is retried with the same sequence number (BullMQ's retry of a failed tick)
    const { tickSeq } = await e.release(r.id);
    expect(await e.advance.execute({ releaseId: r.id, seq: tickSeq })).toBe('scheduled');
    const deploys = e.clusters.calls.filter((c) => c.region === 'c1' && c.op === 'deploy');
    expect(deploys.map((c) => c.image)).toEqual([e.image(), e.image()]);
    // the record was not taken again: what ran before the first patch is still what is restored
    expect(e.clusters.calls.filter((c) => c.region === 'c1' && c.op === 'snapshot')).toHaveLength(1);
    expect(holding(commits, 'c1 region.patched')).toHaveLength(1);

    await e.runUntilRelease(r.id, (x) => x.state === 'succeeded');
    expect(await e.events(r.id, 'region.patched')).toHaveLength(2);
  });
});
