/**
 * Races between operator actions, through two API processes at once (two replicas behind a
 * load balancer): a promote and two rollbacks sent together, 50 times (10 services × 5
 * rounds). Rollback always wins — the release ends rolled_back — and it happens once: one
 * rollback answers 200, the other 409, one rolling_back event, each region restored once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { call, TERMINAL, waitForRelease, type ReleaseBody } from '../support/api-client.js';
import { startApi, startWorker, type Proc } from '../support/processes.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { writeServicesConfig } from './multi-service-config.js';

const SERVICES = Array.from({ length: 10 }, (_, i) => `svc-${i}`);
const ROUNDS = 5;
const REGIONS = ['c1', 'r1'];
const image = (service: string, v: string) => `registry.example.com/shop/${service}:${v}`;

describe('promote and rollback racing', () => {
  let sim: RunningSimulator;
  let db: TestDatabase;
  let apis: Array<Proc & { url: string }> = [];
  let worker: Proc;

  beforeAll(async () => {
    sim = await startSimulator({
      regions: REGIONS,
      stepMs: 10,
      deployments: SERVICES.map((s) => ({ namespace: 'shop', name: s, container: s, image: image(s, '1.0.0') })),
    });
    db = await createTestDatabase();
    // The canary bake is long so the race happens while it bakes; wave-1 bakes long too, so
    // a promote that lands first can never finish the release before the rollback arrives.
    const plan = {
      defaults: { bake: '10m', progressDeadline: '5s' },
      canary: { region: 'c1' },
      waves: [{ name: 'wave-1', regions: ['r1'] }],
    };
    const configDir = writeServicesConfig(sim.url, REGIONS, Object.fromEntries(SERVICES.map((s) => [s, plan])));
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      TIDELINE_CONFIG_DIR: configDir,
      LOG_LEVEL: 'info',
    };
    apis = [await startApi(env), await startApi(env)];
    worker = await startWorker(env);
  });

  afterAll(async () => {
    await worker?.kill();
    await Promise.all(apis.map((a) => a.kill()));
    await db?.drop();
    await sim?.close();
  });

  it('50 times: promote + rollback + rollback sent together → rolled_back, one rollback, each region restored once', async () => {
    const outcomes: Array<{ promote: number; rollbacks: number[] }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const version = `2.${round}.0`;
      const ids = await Promise.all(
        SERVICES.map(async (service) => {
          const res = await call<ReleaseBody>(apis[0]!.url, 'POST', '/v1/releases', {
            service,
            version,
            image: image(service, version),
            releaseNumber: round,
          });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          return res.body.id;
        }),
      );
      await Promise.all(ids.map((id) => waitForRelease(apis[0]!.url, id, (r) => r.stages[0]!.regions[0]!.state === 'baking')));
      await Promise.all(
        ids.map(async (id, i) => {
          const requests = [
            { action: 'promote', body: { reason: 'ship it' } },
            { action: 'rollback', body: { reason: 'error budget' } },
            { action: 'rollback', body: { reason: 'pager' } },
          ].sort(() => Math.random() - 0.5);
          const answers = await Promise.all(
            requests.map(async (r, k) => ({
              ...r,
              status: (await call(apis[(i + k) % 2]!.url, 'POST', `/v1/releases/${id}/${r.action}`, r.body)).status,
            })),
          );
          outcomes.push({
            promote: answers.find((a) => a.action === 'promote')!.status,
            rollbacks: answers
              .filter((a) => a.action === 'rollback')
              .map((a) => a.status)
              .sort(),
          });
        }),
      );
      for (const id of ids) {
        const done = await waitForRelease(apis[1]!.url, id, (r) => TERMINAL.includes(r.state));
        expect(done.state, JSON.stringify(done)).toBe('rolled_back');
        const events = (
          await call<{ items: Array<{ type: string; region: string | null }> }>(apis[1]!.url, 'GET', `/v1/releases/${id}/events`)
        ).body.items;
        expect(events.filter((e) => e.type === 'release.rolling_back')).toHaveLength(1);
        const restores = events.filter((e) => e.type === 'region.restore_patched').map((e) => e.region);
        expect(new Set(restores).size, JSON.stringify(restores)).toBe(restores.length);
        expect(events.filter((e) => e.type === 'release.rolled_back')).toHaveLength(1);
      }
      for (const service of SERVICES) {
        for (const region of REGIONS)
          expect(sim.deployment(region, 'shop', service)!.images[service], `${service} ${region}`).toBe(image(service, '1.0.0'));
      }
    }
    expect(outcomes).toHaveLength(SERVICES.length * ROUNDS);
    for (const o of outcomes) {
      expect(o.rollbacks).toEqual([200, 409]);
      expect([200, 409]).toContain(o.promote);
    }
    // both orders happened: some promotes landed first (200), some after the rollback (409)
    expect(outcomes.some((o) => o.promote === 409)).toBe(true);
  }, 240_000);
});
