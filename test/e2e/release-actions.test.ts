/**
 * Every operator action from every release state, over HTTP. The API runs without a worker, so
 * a release stays in the state the test puts it in (written straight into Postgres): allowed
 * actions answer 200 with what happened and leave an event with the actor and the reason; the
 * others answer 409 application/problem+json naming the state, and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api-client.js';
import { writeConfig } from '../support/config-fixture.js';
import { startApi, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { ACTOR } from './actor.js';

const ACTIONS = ['pause', 'resume', 'approve', 'promote', 'rollback', 'cancel', 'retry'] as const;
type Action = (typeof ACTIONS)[number];
const STATES = [
  'queued',
  'running',
  'paused',
  'awaiting_approval',
  'rolling_back',
  'succeeded',
  'rolled_back',
  'failed',
  'cancelled',
  'superseded',
] as const;
type State = (typeof STATES)[number];

/** What each action does from each state's usual shape (see `shape`); absent = 409. */
const ALLOWED: Partial<Record<State, Partial<Record<Action, string>>>> = {
  queued: { cancel: 'cancelled' },
  running: { pause: 'paused', promote: 'running', rollback: 'rolling_back' },
  paused: { resume: 'running', rollback: 'rolling_back' },
  awaiting_approval: { pause: 'paused', approve: 'running', rollback: 'rolling_back' },
};

interface Problem {
  status: number;
  detail: string;
  state?: string;
  errors?: Array<{ field: string; message: string }>;
}
interface ActionAnswer {
  release: { id: string; state: string; stateReason: string | null; approvedStage: string | null };
  message: string;
}

describe('operator actions from every state', () => {
  let db: TestDatabase;
  let api: Proc & { url: string };
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    const configDir = writeConfig({
      simulatorUrl: 'http://127.0.0.1:1',
      canary: 'c1',
      waves: [{ name: 'wave-1', regions: ['r1', 'r2'], approval: 'required' }],
    });
    api = await startApi({
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: configDir,
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    await api?.kill();
    await db?.drop();
  });

  type Region = { state: string; bakeEndsInMs?: number; reason?: string };
  /** A release of checkout put into `state`, its regions as given (the rest pending). */
  async function releaseIn(
    state: State,
    regions: Record<string, Region>,
    extra: { stageIndex?: number; approvedStageIndex?: number | null; pausedAgoMs?: number } = {},
  ): Promise<string> {
    // retire whatever is still active, so a new release can run
    await db.query(`UPDATE releases SET state = 'cancelled' WHERE state IN ('running','paused','awaiting_approval','rolling_back')`);
    const res = await call<{ id: string }>(api.url, 'POST', '/v1/releases', {
      service: 'checkout',
      version: `1.0.${++n}`,
      image: `registry.example.com/shop/checkout:1.0.${n}`,
      releaseNumber: n,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id = res.body.id;
    await db.query(
      `UPDATE releases SET state = $2, stage_index = $3, approved_stage_index = $4, paused_at = CASE WHEN $2 = 'paused' THEN now() - make_interval(secs => $5::float / 1000) END WHERE id = $1`,
      [id, state, extra.stageIndex ?? 0, extra.approvedStageIndex ?? null, extra.pausedAgoMs ?? 5_000],
    );
    for (const [region, r] of Object.entries(regions)) {
      await db.query(
        `UPDATE region_targets SET state = $3, reason = $4, deploy_started_at = now() - interval '1 minute', patched_at = now() - interval '1 minute',
         bake_ends_at = CASE WHEN $5::float IS NULL THEN NULL ELSE now() + make_interval(secs => $5::float / 1000) END,
         previous = '[]'::jsonb WHERE release_id = $1 AND region = $2`,
        [id, region, r.state, r.reason ?? null, r.bakeEndsInMs ?? null],
      );
    }
    return id;
  }

  /** The usual shape of a release in each state. */
  function shape(state: State): Promise<string> {
    switch (state) {
      case 'queued':
        return releaseIn('queued', {});
      case 'running':
      case 'paused':
        return releaseIn(state, { c1: { state: 'baking', bakeEndsInMs: 3_600_000 } });
      case 'awaiting_approval':
        return releaseIn(state, { c1: { state: 'verified' } }, { stageIndex: 1 });
      case 'rolling_back':
        return releaseIn(state, { c1: { state: 'rolling_back' } });
      case 'succeeded':
        return releaseIn(state, { c1: { state: 'verified' }, r1: { state: 'verified' }, r2: { state: 'verified' } }, { stageIndex: 1 });
      case 'rolled_back':
      case 'failed':
        return releaseIn(state, { c1: { state: 'rolled_back' }, r1: { state: 'skipped' }, r2: { state: 'skipped' } });
      case 'cancelled':
      case 'superseded':
        return releaseIn(state, { c1: { state: 'skipped' }, r1: { state: 'skipped' }, r2: { state: 'skipped' } });
    }
  }

  const snapshot = async (id: string) => {
    const [r] = await db.query<{ row_version: number; events: number }>(
      `SELECT row_version, (SELECT count(*) FROM release_events WHERE release_id = $1)::int AS events FROM releases WHERE id = $1`,
      [id],
    );
    return r;
  };
  const act = (id: string, action: Action, body: unknown = { reason: `because ${action}` }) =>
    call<ActionAnswer & Problem>(api.url, 'POST', `/v1/releases/${id}/${action}`, body);
  const regionStates = async (id: string) =>
    Object.fromEntries(
      (await db.query<{ region: string; state: string }>(`SELECT region, state FROM region_targets WHERE release_id = $1`, [id])).map(
        (r) => [r.region, r.state],
      ),
    );
  const lastEvent = async (id: string) =>
    (
      await db.query<{ type: string; actor: string; reason: string | null }>(
        `SELECT type, actor, reason FROM release_events WHERE release_id = $1 AND type LIKE 'release.%' ORDER BY id DESC LIMIT 1`,
        [id],
      )
    )[0]!;

  for (const state of STATES) {
    for (const action of ACTIONS) {
      const to = ALLOWED[state]?.[action];
      it(`${action} from ${state} → ${to ?? '409'}`, async () => {
        const id = await shape(state);
        const before = await snapshot(id);
        const res = await act(id, action);
        if (to === undefined) {
          expect(res.status, JSON.stringify(res.body)).toBe(409);
          expect(res.contentType).toMatch(/^application\/problem\+json/);
          expect(res.body.state).toBe(state);
          expect(res.body.detail).toContain(`it is ${state}`);
          expect(await snapshot(id)).toEqual(before);
          return;
        }
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.release.state).toBe(to);
        expect(res.body.message.length).toBeGreaterThan(5);
        const event = await lastEvent(id);
        expect(event.actor).toBe(ACTOR);
        expect(event.reason).toBe(`because ${action}`);
      });
    }
  }

  it('rollback marks every touched region rolling_back and leaves the rest; a second rollback is refused', async () => {
    const id = await releaseIn(
      'paused',
      { c1: { state: 'verified' }, r1: { state: 'baking', bakeEndsInMs: 60_000 } },
      { stageIndex: 1, approvedStageIndex: 1 },
    );
    expect((await act(id, 'rollback')).status).toBe(200);
    expect(await regionStates(id)).toEqual({ c1: 'rolling_back', r1: 'rolling_back', r2: 'pending' });
    const again = await act(id, 'rollback');
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already under way/);
    const promote = await act(id, 'promote');
    expect(promote.status).toBe(409);
    expect(promote.body.state).toBe('rolling_back');
  });

  it('promote ends the current bake now and says so; without a reason it is refused naming the field', async () => {
    const id = await shape('running');
    const bad = await act(id, 'promote', {});
    expect(bad.status).toBe(400);
    expect(bad.body.errors!.map((e) => e.field)).toEqual(['reason']);
    const res = await act(id, 'promote', { reason: 'hotfix, metrics look fine' });
    expect(res.status).toBe(200);
    expect(res.body.message).toMatch(/bake of c1 ends now/);
    const [t] = await db.query<{ ends: Date }>(`SELECT bake_ends_at AS ends FROM region_targets WHERE release_id = $1 AND region = 'c1'`, [
      id,
    ]);
    expect(Math.abs(t!.ends.getTime() - Date.now())).toBeLessThan(5_000);
    // nothing left to promote
    expect((await act(id, 'promote')).body.detail).toMatch(/no region of stage canary is baking/);
  });

  it('cancel stops a release that touched nothing (running or awaiting approval); once a region was changed it points to rollback', async () => {
    for (const [state, stageIndex] of [
      ['running', 0],
      ['awaiting_approval', 0],
      ['paused', 0],
    ] as const) {
      const id = await releaseIn(state, {}, { stageIndex });
      const res = await act(id, 'cancel');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.release.state).toBe('cancelled');
      expect(Object.values(await regionStates(id))).toEqual(['skipped', 'skipped', 'skipped']);
    }
    const touched = await shape('running');
    const res = await act(touched, 'cancel');
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/changed c1: use rollback/);
  });

  it('retry deploys a failed region of a paused release again and resumes it; resume alone is refused while it is failed', async () => {
    const id = await releaseIn('paused', { c1: { state: 'failed', reason: 'gate error-rate failed' } });
    const resume = await act(id, 'resume');
    expect(resume.status).toBe(409);
    expect(resume.body.detail).toMatch(/region c1 failed: retry or roll back/);
    expect((await act(id, 'retry', { region: 'r1' })).body.detail).toMatch(/r1 is pending, not failed/);
    const res = await act(id, 'retry', { region: 'c1', reason: 'flaky node, replaced' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.release.state).toBe('running');
    expect((await regionStates(id)).c1).toBe('deploying');
    const [t] = await db.query<{ previous: unknown; patched_at: Date | null }>(
      `SELECT previous, patched_at FROM region_targets WHERE release_id = $1 AND region = 'c1'`,
      [id],
    );
    expect(t).toEqual({ previous: [], patched_at: null }); // what ran before stays recorded
    const types = (
      await db.query<{ type: string; actor: string }>(`SELECT type, actor FROM release_events WHERE release_id = $1 ORDER BY id`, [id])
    ).slice(-2);
    expect(types).toEqual([
      { type: 'region.retry', actor: ACTOR },
      { type: 'release.resumed', actor: ACTOR },
    ]);
  });

  it('approval is durable: resume goes back to awaiting_approval before the approval and to running after it', async () => {
    const waiting = await releaseIn('paused', { c1: { state: 'verified' } }, { stageIndex: 1 });
    expect((await act(waiting, 'resume')).body.release.state).toBe('awaiting_approval');
    const approved = await act(waiting, 'approve', { reason: 'change ticket 42' });
    expect(approved.body.release).toMatchObject({ state: 'running', approvedStage: 'wave-1' });
    const [ev] = await db.query<{ data: unknown; actor: string; reason: string }>(
      `SELECT data, actor, reason FROM release_events WHERE release_id = $1 AND type = 'release.approved'`,
      [waiting],
    );
    expect(ev).toEqual({ data: { stage: 'wave-1', stageIndex: 1, regions: ['r1', 'r2'] }, actor: ACTOR, reason: 'change ticket 42' });
    // paused after the approval, before any wave-1 region started: resume must not ask again
    expect((await act(waiting, 'pause')).body.release.state).toBe('paused');
    expect((await act(waiting, 'resume')).body.release.state).toBe('running');
  });

  it('resume gives back the bake time spent paused', async () => {
    const id = await releaseIn('paused', { c1: { state: 'baking', bakeEndsInMs: 10_000 } }, { pausedAgoMs: 60_000 });
    expect((await act(id, 'resume')).status).toBe(200);
    const [t] = await db.query<{ ends: Date }>(`SELECT bake_ends_at AS ends FROM region_targets WHERE release_id = $1 AND region = 'c1'`, [
      id,
    ]);
    expect(t!.ends.getTime() - Date.now()).toBeGreaterThan(65_000);
  });

  it('an unknown release answers 404, a bad id or body 400 naming the field', async () => {
    const missing = await act('00000000-0000-4000-8000-000000000000', 'rollback');
    expect(missing.status).toBe(404);
    const badId = await act('nope', 'pause');
    expect(badId.status).toBe(400);
    expect(badId.body.errors![0]!.field).toBe('id');
    const id = await shape('running');
    for (const action of ACTIONS) {
      const res = await act(id, action, { reason: 'x', colour: 'blue' });
      expect(res.status, action).toBe(400);
      expect(
        res.body.errors!.map((e) => e.field),
        action,
      ).toContain('colour');
      const empty = await act(id, action, { reason: '   ' });
      expect(empty.status, action).toBe(400);
      expect(
        empty.body.errors!.map((e) => e.field),
        action,
      ).toEqual(['reason']);
    }
    const region = await act(id, 'retry', { region: 'EU WEST' });
    expect(region.body.errors!.map((e) => e.field)).toEqual(['region']);
  });
});
