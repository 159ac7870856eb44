/**
 * Approvals, pauses and bake timers survive SIGKILL of the API and the worker: one release
 * waits for approval, one is paused mid-bake, one is half-way through its bake when both
 * processes are killed. After the restart the first still waits (nothing of its next wave was
 * touched), the second is still paused with its bake clock stopped, and the third's bake ends
 * when it was due, not later and not from scratch. Then they are approved and resumed, and
 * every one of them succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { call, TERMINAL, waitForRelease, type ReleaseBody } from '../support/api-client.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { writeServicesConfig } from './multi-service-config.js';

const REGIONS = ['c1', 'r1'];
const SERVICES = ['approve-me', 'pause-me', 'bake-me'];
const image = (service: string, v: string) => `registry.example.com/shop/${service}:${v}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stateOf = (r: ReleaseBody, region: string) => r.stages.flatMap((s) => s.regions).find((x) => x.region === region)!.state;

describe('operator state survives SIGKILL of API and worker', () => {
  let sim: RunningSimulator;
  let db: TestDatabase;
  let api: Proc & { url: string };
  let worker: Proc;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sim = await startSimulator({
      regions: REGIONS,
      stepMs: 20,
      deployments: SERVICES.map((s) => ({ namespace: 'shop', name: s, container: s, image: image(s, '1.0.0') })),
    });
    db = await createTestDatabase();
    const plan = {
      defaults: { bake: '5s', progressDeadline: '5s' },
      canary: { region: 'c1' },
      waves: [{ name: 'wave-1', regions: ['r1'], approval: 'required', bake: '300ms' }],
    };
    const configDir = writeServicesConfig(sim.url, REGIONS, Object.fromEntries(SERVICES.map((s) => [s, plan])));
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: configDir,
      TIDELINE_JOB_LOCK_MS: '1500',
      LOG_LEVEL: 'info',
    };
    api = await startApi(env);
    worker = await startWorker(env);
  });

  afterAll(async () => {
    await worker?.kill();
    await api?.kill();
    await db?.drop();
    await sim?.close();
  });

  const create = async (service: string) => {
    const res = await call<ReleaseBody>(api.url, 'POST', '/v1/releases', {
      service,
      version: '2.0.0',
      image: image(service, '2.0.0'),
      releaseNumber: 1,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  };
  const wait = (id: string, done: (r: ReleaseBody) => boolean, ms = 30_000) => waitForRelease(api.url, id, done, ms);
  const canary = async (id: string) =>
    (
      await db.query<{ bake_ends_at: Date; rollout_completed_at: Date; verified_at: Date | null }>(
        `SELECT bake_ends_at, rollout_completed_at, verified_at FROM region_targets WHERE release_id = $1 AND region = 'c1'`,
        [id],
      )
    )[0]!;
  const act = async (id: string, action: string) => {
    const res = await call<{ release: ReleaseBody }>(api.url, 'POST', `/v1/releases/${id}/${action}`, {
      reason: `${action} after the restart`,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.release;
  };

  it('an approval wait, a pause and a half-finished bake all come back as they were', async () => {
    const approveMe = await create('approve-me');
    await wait(approveMe, (r) => r.state === 'awaiting_approval');

    const pauseMe = await create('pause-me');
    const bakeMe = await create('bake-me');
    await wait(pauseMe, (r) => stateOf(r, 'c1') === 'baking');
    await wait(bakeMe, (r) => stateOf(r, 'c1') === 'baking');
    await sleep(1_000);
    const pausedAt = Date.now();
    await act(pauseMe, 'pause');
    const pauseBakeEnd = (await canary(pauseMe)).bake_ends_at.getTime();
    const remaining = pauseBakeEnd - pausedAt;
    const bakeBefore = await canary(bakeMe);
    await sleep(500);

    await Promise.all([api.kill('SIGKILL'), worker.kill('SIGKILL')]);
    await sleep(1_500);
    [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
    const workerReadyAt = Date.now();

    // the half-finished bake ends when it was due (the delayed tick survived in Redis / the sweeper)
    const verified = await wait(bakeMe, (r) => stateOf(r, 'c1') === 'verified');
    expect(verified.state).toBe('awaiting_approval');
    const bakeAfter = await canary(bakeMe);
    expect(bakeAfter.bake_ends_at).toEqual(bakeBefore.bake_ends_at);
    expect(bakeAfter.rollout_completed_at).toEqual(bakeBefore.rollout_completed_at);
    expect(bakeAfter.verified_at!.getTime()).toBeGreaterThanOrEqual(bakeBefore.bake_ends_at.getTime());
    // verified once due: within 3 s of the bake's end, or of the restarted worker being ready if it
    // came up later (a loaded machine can take longer to start it than the bake had left)
    const dueAndServed = Math.max(bakeBefore.bake_ends_at.getTime(), workerReadyAt);
    expect(bakeAfter.verified_at!.getTime() - dueAndServed).toBeLessThan(3_000);

    // long after its bake would have ended, the paused release still holds it
    await sleep(Math.max(0, pauseBakeEnd + 1_000 - Date.now()));
    const held = await wait(pauseMe, () => true);
    expect(held.state).toBe('paused');
    expect(stateOf(held, 'c1')).toBe('baking');
    const waiting = await wait(approveMe, () => true);
    expect(waiting.state).toBe('awaiting_approval');
    for (const service of SERVICES) expect(sim.patchLog({ region: 'r1', name: service })).toEqual([]);

    // resume gives back the remaining bake time
    const resumedAt = Date.now();
    expect((await act(pauseMe, 'resume')).state).toBe('running');
    expect((await canary(pauseMe)).bake_ends_at.getTime() - resumedAt).toBeGreaterThan(remaining - 500);
    await act(approveMe, 'approve');
    await act(bakeMe, 'approve');
    await wait(pauseMe, (r) => r.state === 'awaiting_approval');
    expect((await canary(pauseMe)).verified_at!.getTime() - resumedAt).toBeGreaterThanOrEqual(remaining - 500);
    await act(pauseMe, 'approve');
    for (const id of [approveMe, pauseMe, bakeMe]) {
      const done = await wait(id, (r) => TERMINAL.includes(r.state));
      expect(done.state, JSON.stringify(done)).toBe('succeeded');
    }
  }, 120_000);
});
