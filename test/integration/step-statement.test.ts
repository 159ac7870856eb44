/**
 * One engine step is one SQL statement (issue 13): release (row-version guarded), every target
 * it touches, its events in order and its gate evaluations commit together or not at all, and
 * `afterStep` — what the stepper keeps instead of reading back — equals what Postgres holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRelease } from '#application';
import { loadConfig } from '#config';
import { afterStep, ConcurrentModificationError, ReleaseStore, stepStatement, type ReleaseRecord, type TargetRecord } from '#persistence';
import { writeConfig } from '../support/config-fixture.js';
import { StatementFaults } from '../support/statement-faults.js';
import { startStoreEnv, type StoreEnv } from '../support/store-env.js';

describe('an engine step as one statement', () => {
  let env: StoreEnv;
  let store: ReleaseStore;
  let create: CreateRelease;
  let n = 0;
  let faults: StatementFaults;

  beforeAll(async () => {
    env = await startStoreEnv();
    store = new ReleaseStore(env.db);
    const config = loadConfig(
      writeConfig({
        simulatorUrl: 'http://127.0.0.1:1',
        canary: 'c1',
        waves: [{ name: 'wave-1', regions: ['r1', 'r2'] }],
        services: ['search'],
      }),
    );
    create = new CreateRelease(config, store, env.queues);
    faults = new StatementFaults(env.db.dataSource);
  });

  afterAll(async () => {
    await env?.close();
  });

  const fresh = async (): Promise<{ release: ReleaseRecord; targets: TargetRecord[] }> => {
    await env.tdb.query(`UPDATE releases SET state = 'cancelled', ended_at = now() WHERE state = 'running'`);
    const n1 = ++n;
    const { release } = await create.execute({
      service: 'search',
      version: `1.${n1}.0`,
      image: `registry.example.com/shop/search:1.${n1}.0`,
      releaseNumber: n1,
      actor: 'ci',
    });
    return { release, targets: await store.targets(release.id) };
  };
  const strip = <T extends { updatedAt: Date }>(row: T) => ({ ...row, updatedAt: null });

  it('writes release, targets of different shapes, ordered events and evaluations in one statement, as afterStep says', async () => {
    const { release, targets } = await fresh();
    const [c1, r1, r2] = targets;
    const at = new Date('2026-12-02T05:00:00.123Z');
    const previous = [
      {
        workload: { namespace: 'shop', deployment: 'search', container: 'app' },
        image: 'registry.example.com/shop/search:1.0.0',
        podTemplate: { spec: { containers: [{ name: 'app', image: 'x' }] }, metadata: { labels: { zeta: '1', a: '2' } } },
        deploymentLabels: { 'app.kubernetes.io/name': 'search', a: 'b' },
      },
    ];
    const change = {
      release: { stateReason: 'stepping', stageIndex: 1 },
      targets: [
        { id: c1!.id, patch: { state: 'baking' as const, rolloutCompletedAt: at, bakeEndsAt: new Date(at.getTime() + 60_000) } },
        { id: r1!.id, patch: { state: 'failed' as const, failedAt: at, reason: 'boom' } },
        { id: r2!.id, patch: { previous } },
        { id: r1!.id, patch: { reason: 'boom, merged' } },
      ],
      events: ['one', 'two', 'three', 'four'].map((type, i) => ({
        type: `test.${type}`,
        actor: 'test',
        region: i % 2 ? 'r1' : null,
        data: { i },
      })),
      evaluations: [evaluation(c1!.id, 'c1', 'first'), evaluation(r1!.id, 'r1', 'second')],
      tickAt: at,
    };
    const { result: seq, statements } = await faults.record(() => store.applyStep(release, change));
    expect(statements).toHaveLength(1);
    expect(seq).toBe(release.tickSeq + 1);

    const stored = (await store.get(release.id))!;
    expect(stored.nextTickAt).toEqual(at);
    const expected = afterStep(release, targets, change);
    expect(strip(stored)).toEqual(strip({ ...expected.release, tickSeq: seq!, nextTickAt: at }));
    const storedTargets = await store.targets(release.id);
    expect(storedTargets.map(strip)).toEqual(expected.targets.map(strip));
    expect(JSON.stringify(storedTargets.find((t) => t.id === r2!.id)!.previous)).toBe(
      JSON.stringify(expected.targets.find((t) => t.id === r2!.id)!.previous),
    );
    expect(storedTargets.find((t) => t.id === r1!.id)!.reason).toBe('boom, merged');

    const events = (await store.events(release.id)).filter((e) => e.type.startsWith('test.'));
    expect(events.map((e) => [e.type, e.region, e.data])).toEqual(change.events.map((e, i) => [e.type, e.region, { i }]));
    const evals = await env.tdb.query<{ reason: string }>(`SELECT reason FROM gate_evaluations WHERE release_id = $1 ORDER BY id`, [
      release.id,
    ]);
    expect(evals.map((e) => e.reason)).toEqual(['first', 'second']);
  });

  it('has one statement text for any number of targets, events and evaluations of the same columns (prepared once)', async () => {
    const { release, targets } = await fresh();
    const change = (n: number) => ({
      targets: targets.slice(0, n).map((t) => ({ id: t.id, patch: { state: 'deploying' as const, reason: `n=${n}` } })),
      events: Array.from({ length: n }, (_, i) => ({ type: `test.e${i}`, actor: 'test', data: { i } })),
      evaluations: targets.slice(0, n).map((t) => evaluation(t.id, t.region, `n=${n}`)),
    });
    const one = stepStatement(env.db.dataSource, release, change(1));
    const three = stepStatement(env.db.dataSource, release, change(3));
    expect(three.sql).toBe(one.sql);
    expect(three.params).toHaveLength(one.params.length);
    // and it writes every row of the larger change
    await store.applyStep(release, change(3));
    expect((await store.targets(release.id)).filter((t) => t.reason === 'n=3')).toHaveLength(3);
  });

  it('writes nothing at all when the row version moved on', async () => {
    const { release, targets } = await fresh();
    await store.applyStep(release, { targets: [], events: [] });
    const before = await env.tdb.query(
      `SELECT (SELECT count(*) FROM release_events WHERE release_id = $1)::int AS events,
              (SELECT count(*) FROM gate_evaluations WHERE release_id = $1)::int AS evaluations,
              (SELECT string_agg(state || coalesce(reason, ''), ',' ORDER BY region) FROM region_targets WHERE release_id = $1) AS targets,
              (SELECT row_version || ':' || tick_seq || ':' || coalesce(state_reason, '') FROM releases WHERE id = $1) AS release`,
      [release.id],
    );
    await expect(
      store.applyStep(release, {
        release: { stateReason: 'stale' },
        targets: [{ id: targets[0]!.id, patch: { state: 'deploying', reason: 'stale' } }],
        events: [{ type: 'test.stale', actor: 'test' }],
        evaluations: [evaluation(targets[0]!.id, 'c1', 'stale')],
        tickAt: new Date(),
      }),
    ).rejects.toBeInstanceOf(ConcurrentModificationError);
    const after = await env.tdb.query(
      `SELECT (SELECT count(*) FROM release_events WHERE release_id = $1)::int AS events,
              (SELECT count(*) FROM gate_evaluations WHERE release_id = $1)::int AS evaluations,
              (SELECT string_agg(state || coalesce(reason, ''), ',' ORDER BY region) FROM region_targets WHERE release_id = $1) AS targets,
              (SELECT row_version || ':' || tick_seq || ':' || coalesce(state_reason, '') FROM releases WHERE id = $1) AS release`,
      [release.id],
    );
    expect(after).toEqual(before);
  });
});

function evaluation(targetId: string, region: string, reason: string) {
  return {
    targetId,
    region,
    stageIndex: 0,
    gate: 'errors',
    phase: 'bake' as const,
    verdict: 'pass' as const,
    reason,
    query: 'x',
    evidenceQuery: null,
    baselineQuery: null,
    values: [],
    observed: 0,
    baseline: null,
    evidence: null,
    threshold: '< 0.01',
    failingSeries: [],
    durationMs: 1,
    dueAt: null,
    evaluatedAt: new Date(),
    warnings: [],
    infos: [],
  };
}
