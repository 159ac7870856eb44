/**
 * Every multi-statement write path commits once: for each, a crash at every one of its SQL
 * statements (test/support/statement-faults.ts) leaves real Postgres holding nothing of it or
 * all of it — never a half (issue 15, item 3).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRelease, PauseRelease, RequestRegionOperation } from '#application';
import { loadConfig, type TidelineConfig } from '#config';
import { regionTrafficProviders, type JobQueues } from '#integrations';
import { NotificationStore, RegionOperationStore, ReleaseStore, type Db, type ReleaseRecord } from '#persistence';
import { ConfigRegionDirectory } from '../../libs/runtime/src/region-directory.js';
import { writeConfig } from '../support/config-fixture.js';
import type { TestDatabase } from '../support/services.js';
import { startStoreEnv, type StoreEnv } from '../support/store-env.js';
import { crashEveryStatement, StatementFaults, type CrashReport } from '../support/statement-faults.js';

const clock = { now: () => new Date() };

describe('every multi-statement write commits once (a crash at each statement)', () => {
  let env: StoreEnv;
  let tdb: TestDatabase;
  let db: Db;
  let queues: JobQueues;
  let faults: StatementFaults;
  let store: ReleaseStore;
  let ops: RegionOperationStore;
  let config: TidelineConfig;
  let create: CreateRelease;
  let n = 0;
  const reports: Record<string, CrashReport> = {};

  beforeAll(async () => {
    env = await startStoreEnv();
    ({ tdb, db, queues } = env);
    faults = new StatementFaults(db.dataSource);
    store = new ReleaseStore(db);
    ops = new RegionOperationStore(db);
    const dir = writeConfig({
      simulatorUrl: 'http://127.0.0.1:1',
      canary: 'c1',
      waves: [{ name: 'wave-1', regions: ['r1', 'r2'] }],
      services: ['checkout', 'search', 'cart'],
      supersede: ['cart'],
    });
    const regions = JSON.parse(readFileSync(join(dir, 'regions.yaml'), 'utf8')) as { regions: Array<Record<string, unknown>> };
    for (const r of regions.regions) r.traffic = { provider: 'simulator', url: 'http://127.0.0.1:1' };
    writeFileSync(join(dir, 'regions.yaml'), JSON.stringify(regions));
    config = loadConfig(dir);
    create = new CreateRelease(config, store, queues);
  });

  afterAll(async () => {
    console.log(`crash points per path: ${JSON.stringify(reports)}`);
    await env?.close();
  });

  const cmd = (service: string, number: number) => ({
    service,
    version: `1.${number}.0`,
    image: `registry.example.com/shop/${service}:1.${number}.0`,
    releaseNumber: number,
    actor: 'ci',
  });
  const retire = (service: string) =>
    tdb.query(
      `UPDATE releases SET state = 'cancelled', ended_at = now() WHERE service = $1 AND state NOT IN ('succeeded','cancelled','superseded')`,
      [service],
    );
  const retireOperations = (region: string) =>
    tdb.query(
      `UPDATE region_operations SET state = 'restored', next_check_at = NULL WHERE region = $1 AND state IN ('pending','draining','restoring')`,
      [region],
    );
  const newRelease = async (service: string, number = ++n) => (await create.execute(cmd(service, number))).release;
  /** a release's rows without ids or timestamps */
  const view = async (id: string | undefined) => {
    if (!id) return null;
    const [r] = await tdb.query<{ state: string; tick_seq: number; next: boolean }>(
      `SELECT state, tick_seq, next_tick_at IS NOT NULL AS next FROM releases WHERE id = $1`,
      [id],
    );
    const targets = await tdb.query<{ s: string }>(
      `SELECT region || ':' || state AS s FROM region_targets WHERE release_id = $1 ORDER BY region`,
      [id],
    );
    const events = await tdb.query<{ t: string }>(`SELECT type AS t FROM release_events WHERE release_id = $1 ORDER BY id`, [id]);
    const evaluations = await tdb.query<{ n: number }>(`SELECT count(*)::int AS n FROM gate_evaluations WHERE release_id = $1`, [id]);
    return r ? { ...r, targets: targets.map((t) => t.s), events: events.map((e) => e.t), evaluations: evaluations[0]!.n } : null;
  };
  const byNumber = async (service: string, number: number) =>
    (await tdb.query<{ id: string }>(`SELECT id FROM releases WHERE service = $1 AND release_number = $2`, [service, number]))[0]?.id;

  const check = (name: string, report: CrashReport, minStatements = 3) => {
    reports[name] = report;
    expect(report.statements).toBeGreaterThanOrEqual(minStatements);
    expect(report.nothing).toBeGreaterThan(0);
  };

  it('create: the release, its targets and its events', async () => {
    const report = await crashEveryStatement(faults, tdb, {
      setup: async () => (await retire('checkout'), { number: ++n }),
      run: (f) => create.execute(cmd('checkout', f.number)),
      observe: async (f) => view(await byNumber('checkout', f.number)),
    });
    check('create', report, 1);
    expect(report.statements).toBe(1); // locks, probe and insert: one call (tideline_create_releases)
  });

  it('creates written together (group commit): every release of the batch, or none', async () => {
    let batched = 0;
    const report = await crashEveryStatement(faults, tdb, {
      setup: async () => {
        await retire('checkout');
        await retire('search');
        return { numbers: [++n, ++n] };
      },
      // submitted in one turn: one statement for both; the path ends when both have (a crashed
      // process sends nothing more: nothing may run after the first failure is seen)
      run: async (f) => {
        const out = await Promise.allSettled([
          create.execute(cmd('checkout', f.numbers[0]!)),
          create.execute(cmd('search', f.numbers[1]!)),
        ]);
        const failed = out.find((o) => o.status === 'rejected');
        if (failed) throw failed.reason;
        batched++;
      },
      observe: async (f) => ({
        checkout: await view(await byNumber('checkout', f.numbers[0]!)),
        search: await view(await byNumber('search', f.numbers[1]!)),
      }),
    });
    expect(batched).toBe(1); // the run without a crash
    check('create-batch', report, 1);
    expect(report.statements).toBe(1); // both creates in one call: both services' locks, the probes, the inserts
  });

  it('create with onConcurrent: supersede: the new release and every release it supersedes', async () => {
    const report = await crashEveryStatement(faults, tdb, {
      setup: async () => {
        await retire('cart');
        await newRelease('cart');
        const waiting = await newRelease('cart');
        return { waiting: waiting.id, number: ++n };
      },
      run: (f) => create.execute(cmd('cart', f.number)),
      observe: async (f) => ({ waiting: await view(f.waiting), created: await view(await byNumber('cart', f.number)) }),
    });
    check('create-supersede', report);
  });

  it('an operator action: the release, its event and its next tick', async () => {
    const pause = new PauseRelease(db, store, queues, clock);
    const report = await crashEveryStatement(faults, tdb, {
      setup: async () => (await retire('search'), await newRelease('search')),
      run: (r) => pause.execute({ id: r.id, actor: 'ops', reason: 'crash test' }),
      observe: (r) => view(r.id),
    });
    check('operator-action', report);
  });

  it('an engine step: the release, its targets, its events and the gate evaluations behind them', async () => {
    const report = await crashEveryStatement(faults, tdb, {
      setup: async () => {
        await retire('search');
        const r = await newRelease('search');
        return { release: r, targets: await store.targets(r.id) };
      },
      run: ({ release, targets }) =>
        store.applyStep(release, {
          release: { stateReason: 'stepping' },
          targets: targets.slice(0, 2).map((t) => ({ id: t.id, patch: { state: 'deploying' as const, deployStartedAt: new Date() } })),
          events: [
            { type: 'region.deploying', actor: 'tideline', region: targets[0]!.region },
            { type: 'region.deploying', actor: 'tideline', region: targets[1]!.region },
          ],
          evaluations: [evaluation(targets[0]!.id, targets[0]!.region)],
        }),
      observe: ({ release }) => view(release.id),
    });
    // one statement since issue 13 (test/integration/step-statement.test.ts): it commits once by
    // construction, and a crash before it leaves nothing
    reports['engine-step'] = report;
    expect(report).toEqual({ statements: 1, nothing: 1, whole: 0 });
  });

  it('starting the next queued release: a stale older one ends superseded, the next one starts', async () => {
    const report = await crashEveryStatement(faults, tdb, {
      setup: async () => {
        await retire('search');
        const first = await newRelease('search');
        const stale = await newRelease('search');
        const newer = await newRelease('search');
        const next = await newRelease('search');
        await tdb.query(`UPDATE releases SET state = 'succeeded', ended_at = now() WHERE id IN ($1, $2)`, [first.id, newer.id]);
        return { stale: stale.id, next: next.id };
      },
      run: () => store.promoteNextQueued('search'),
      observe: async (f) => ({ stale: await view(f.stale), next: await view(f.next) }),
    });
    check('promote-next', report);
    const [stale] = await tdb.query<{ state: string; state_reason: string }>(
      `SELECT state, state_reason FROM releases WHERE service = 'search' AND state = 'superseded' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(stale!.state_reason).toMatch(/is newer and already succeeded/);
  });

  it('a restore that supersedes a drain in flight: the drain ends and the restore is recorded together', async () => {
    const request = new RequestRegionOperation(
      db,
      ops,
      new ConfigRegionDirectory(config),
      regionTrafficProviders(config.regions),
      queues,
      clock,
    );
    const report = await crashEveryStatement(faults, tdb, {
      setup: async () => {
        await retireOperations('r1');
        return request.execute({ region: 'r1', kind: 'drain', actor: 'ops' });
      },
      run: () => request.execute({ region: 'r1', kind: 'restore', actor: 'ops', reason: 'crash test' }),
      observe: async (drain) => {
        const [d] = await tdb.query<{ state: string; next: boolean }>(
          `SELECT state, next_check_at IS NOT NULL AS next FROM region_operations WHERE id = $1`,
          [drain.id],
        );
        const [r] = await tdb.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM region_operations WHERE region = 'r1' AND kind = 'restore' AND requested_at >= $1`,
          [drain.requestedAt],
        );
        return { drain: d, restores: r!.n };
      },
    });
    check('restore-supersedes-drain', report);
  });

  it('a region operation step: its patch and its next check', async () => {
    const report = await crashEveryStatement(faults, tdb, {
      setup: async () => (
        await retireOperations('r2'),
        ops.insert({ region: 'r2', kind: 'drain', actor: 'ops', reason: null, targetWeight: 0, previousWeight: null, preDrainRate: null })
      ),
      run: (op) => ops.update(op.id, { state: 'draining', startedAt: new Date(), note: 'moving' }, new Date(Date.now() + 1000)),
      observe: async (op) =>
        (
          await tdb.query(`SELECT state, note, check_seq, next_check_at IS NOT NULL AS next FROM region_operations WHERE id = $1`, [op.id])
        )[0],
    });
    expect(report.statements).toBeGreaterThan(2);
    reports['region-operation-step'] = report;
  });

  it('a notification dispatch step: the deliveries and the cursor', async () => {
    const notifications = new NotificationStore(db);
    const plan = (events: Array<{ id: string; releaseId: string; type: string }>) =>
      events.map((e) => ({ eventId: e.id, releaseId: e.releaseId, destination: 'slack', eventType: e.type, severity: 'info' as const }));
    await notifications.dispatch(1000, plan); // the cursor exists from here on
    const report = await crashEveryStatement(faults, tdb, {
      setup: async () => {
        await retire('checkout');
        const r = await newRelease('checkout');
        await visibleToDispatch(tdb, r);
        return r;
      },
      run: () => notifications.dispatch(1000, plan),
      observe: async (r) => {
        const [d] = await tdb.query<{ n: number }>(`SELECT count(*)::int AS n FROM notification_deliveries WHERE release_id = $1`, [r.id]);
        const [c] = await tdb.query<{ past: boolean }>(
          `SELECT (SELECT max(id) FROM release_events WHERE release_id = $1) <= last_event_id OR last_tx_id > (SELECT max(tx_id)::text::bigint FROM release_events WHERE release_id = $1) AS past FROM notification_cursors`,
          [r.id],
        );
        return { deliveries: d!.n, cursorPast: c!.past };
      },
    });
    check('notification-dispatch', report);
  });
});

function evaluation(targetId: string, region: string) {
  return {
    targetId,
    region,
    stageIndex: 0,
    gate: 'errors',
    phase: 'bake' as const,
    verdict: 'pass' as const,
    reason: 'observed 0 < 0.01',
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

/** The dispatcher reads only events of transactions older than every running one: wait for that. */
async function visibleToDispatch(tdb: TestDatabase, r: ReleaseRecord): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [row] = await tdb.query<{ ok: boolean }>(
      `SELECT bool_and(tx_id < pg_snapshot_xmin(pg_current_snapshot())) AS ok FROM release_events WHERE release_id = $1`,
      [r.id],
    );
    if (row?.ok) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('events never became visible to the dispatcher');
}
