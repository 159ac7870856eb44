/** Gate evaluations through real Postgres: a `__proto__` label and Prometheus' warnings/infos survive the round trip. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRelease, QUEUES } from '#application';
import { loadConfig } from '#config';
import { judgeGate, parsePromResponse, type GateSpec } from '#domain';
import { JobQueues, redisConnection } from '#integrations';
import { createDataSource, Db, GateStore, insertEvaluations, ReleaseStore } from '#persistence';
import { writeConfig } from '../support/config-fixture.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

const gate: GateSpec = {
  name: 'error-rate',
  query: 'rate(errors[1m])',
  condition: { kind: 'threshold', op: '<', value: 0.01 },
  intervalMs: 1000,
  windowMs: 5000,
  failureLimit: 3,
  errorLimit: 3,
  inconclusive: 'pause',
  series: 'all',
  queryTimeoutMs: 1000,
};

describe('gate evaluations on real Postgres', () => {
  let tdb: TestDatabase;
  let db: Db;
  let queues: JobQueues;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = new Db(await createDataSource({ kind: 'server', url: tdb.url }), false);
    await db.dataSource.runMigrations({ transaction: 'each' });
    queues = new JobQueues(redisConnection(REDIS_URL), uniquePrefix());
  });

  afterAll(async () => {
    await queues?.queue(QUEUES.releases).obliterate({ force: true });
    await queues?.close();
    await db?.close();
    await tdb?.drop();
  });

  it('keeps __proto__ labels apart and stores warnings and infos', async () => {
    const config = loadConfig(
      writeConfig({
        simulatorUrl: 'http://127.0.0.1:1',
        canary: 'c1',
        waves: [{ name: 'wave-1', regions: ['r1'] }],
        services: ['checkout'],
      }),
    );
    const store = new ReleaseStore(db);
    const { release } = await new CreateRelease(config, store, queues).execute({
      service: 'checkout',
      version: '1.1.0',
      image: 'registry.example.com/shop/checkout:1.1.0',
      releaseNumber: 1,
      actor: 'ci',
    });
    const target = (await store.targets(release.id))[0]!;
    const body = JSON.parse(
      '{"status":"success","warnings":["w1"],"infos":["i1"],"data":{"resultType":"vector","result":[' +
        '{"metric":{"__proto__":"a"},"value":[1,"0.5"]},{"metric":{"__proto__":"b"},"value":[1,"0.7"]}]}}',
    );
    const parsed = parsePromResponse(body);
    if (!parsed.ok) throw new Error(parsed.error);
    const ev = judgeGate(gate, {
      candidate: { ok: true, result: parsed.result, durationMs: 1, warnings: parsed.warnings, infos: parsed.infos },
    });
    expect(ev.verdict).toBe('fail');
    await db.tx((m) =>
      insertEvaluations(m, release.id, [
        {
          targetId: target.id,
          region: target.region,
          stageIndex: 0,
          gate: gate.name,
          phase: 'bake',
          verdict: ev.verdict,
          reason: ev.reason,
          query: gate.query,
          evidenceQuery: null,
          baselineQuery: null,
          values: ev.values,
          observed: ev.observed,
          baseline: ev.baseline,
          evidence: ev.evidence,
          threshold: ev.threshold,
          failingSeries: ev.failingSeries,
          warnings: ev.warnings,
          infos: ev.infos,
          durationMs: 1,
          dueAt: new Date('2026-12-02T10:00:00.250Z'),
          evaluatedAt: new Date(),
        },
      ]),
    );
    const [row] = await new GateStore(db).evaluations(release.id, { limit: 10 });
    expect(row!.failingSeries.map((l) => Object.entries(l))).toEqual([[['__proto__', 'a']], [['__proto__', 'b']]]);
    expect(row!.values.map((v) => JSON.stringify(v.labels))).toEqual(['{"__proto__":"a"}', '{"__proto__":"b"}']);
    expect(row!).toMatchObject({ warnings: ['w1'], infos: ['i1'], dueAt: new Date('2026-12-02T10:00:00.250Z') });
    const [raw] = await tdb.query<{ fs: string }>(`SELECT failing_series::text AS fs FROM gate_evaluations`);
    expect(raw!.fs).toBe('[{"__proto__": "a"}, {"__proto__": "b"}]');
  });
});
