/**
 * Learning from history against real processes, Postgres and Prometheus: time-to-smoke over a
 * history with failures at known delays (mean, p90, the recommended bakes, the evidence); no
 * history → the default, saying why; `bake: auto` resolved, clamped and frozen in a release's
 * plan; the wave planner with request rates measured in Prometheus, its YAML a valid plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#config';
import { writeFileSync, mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_HISTORY, seedHistory } from '../../scripts/demo-history.js';
import { call } from '../support/api-client.js';
import { ERROR_RATE_QUERY, REGION_RATE_QUERY, REQUESTS_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';

const MIN = 60_000;
const REGIONS = ['us-west', 'us-east', 'eu-central', 'ap-south'];
const TRAITS: Record<string, unknown> = {
  'us-west': { timeZone: 'America/Los_Angeles', traits: { tier: 'low' } },
  'us-east': { timeZone: 'America/New_York', traits: { tier: 'high' } },
  'eu-central': { timeZone: 'Europe/Berlin', traits: { tier: 'low', tags: ['gdpr'] } },
  'ap-south': { timeZone: 'Asia/Kolkata', traits: { tier: 'high', tags: ['mobile-heavy', 'non-latin-input'] } },
};

interface Group {
  failures: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  recommendations: {
    twiceMean: { bakeMs: number; source: string; reason: string };
    p95: { bakeMs: number; source: string; reason: string };
  };
  evidence: Array<{
    releaseId: string;
    region: string;
    phase: string;
    delayMs: number;
    rolloutCompletedAt: string;
    firstFailureAt: string;
  }>;
}
type Smoke = { service: string; defaultBakeMs: number; overall: Group; regions: Array<Group & { region: string }> };

describe('learning from history', () => {
  let env: GateEnv;
  let seeded: string[] = [];

  beforeAll(async () => {
    env = await startGateEnv({
      regions: REGIONS,
      simulator: { traffic: { 'us-east': { rps: 60 }, 'ap-south': { rps: 40 }, 'us-west': { rps: 5 }, 'eu-central': { rps: 10 } } },
      regionExtras: (region, simUrl) => ({
        ...(TRAITS[region] as object),
        traffic: { provider: 'simulator', url: simUrl, rateQuery: REGION_RATE_QUERY, window: '5s' },
      }),
      services: [
        {
          service: 'checkout',
          plan: {
            defaults: { bake: 'auto', autoBake: { min: '10m', max: '4h', rule: 'twice-mean' } },
            canary: { region: 'us-west', bake: '1s' },
            waves: [{ name: 'rest', regions: ['us-east', 'eu-central', 'ap-south'], maxParallel: 3 }],
          },
        },
        {
          service: 'search',
          plan: {
            defaults: {
              bake: '3s',
              progressDeadline: '5s',
              gates: [
                {
                  name: 'error-rate',
                  query: ERROR_RATE_QUERY,
                  condition: '< 0.01',
                  interval: '1s',
                  window: '5s',
                  minEvidence: { query: REQUESTS_QUERY, min: 5 },
                },
              ],
            },
            canary: { region: 'us-west' },
            waves: [{ name: 'wave-1', regions: ['us-east'], bake: '20s' }],
          },
        },
        {
          service: 'cart',
          plan: {
            defaults: { bake: 'auto', autoBake: { min: '1s', max: '2s' } },
            canary: { region: 'us-west' },
            waves: [{ name: 'rest', regions: ['us-east', 'eu-central', 'ap-south'], maxParallel: 3 }],
          },
        },
      ],
    });
    await env.db.query('BEGIN');
    // six past releases of checkout, each smoking in one region at a known delay (bake 12m: four are slow smokes)
    seeded = await seedHistory(
      { query: (sql, params) => env.db.query(sql, params) },
      {
        service: 'checkout',
        regions: REGIONS,
        bakeMs: DEMO_HISTORY.bakeMs,
        smokes: DEMO_HISTORY.smokes,
      },
    );
    await env.db.query('COMMIT');
  });

  afterAll(async () => {
    await env?.close();
  });

  it('GET /v1/services/{service}/time-to-smoke: mean, percentiles, both recommendations and the evidence, per region and overall', async () => {
    const res = await call<Smoke>(env.api.url, 'GET', '/v1/services/checkout/time-to-smoke');
    expect(res.status).toBe(200);
    const { overall } = res.body;
    expect(overall).toMatchObject({ failures: 6, meanMs: 14 * MIN, p50Ms: 12 * MIN, p90Ms: 22 * MIN, p95Ms: 22 * MIN, maxMs: 22 * MIN });
    expect(overall.recommendations.twiceMean).toEqual({
      rule: 'twice-mean',
      bakeMs: 28 * MIN,
      source: 'history',
      reason: '2 × mean 14m over 6 failures = 28m',
    });
    expect(overall.recommendations.p95).toMatchObject({ bakeMs: 22 * MIN, source: 'history' });
    // evidence: every seeded release, oldest first, with its delay; failures at or after the 12m bake are slow smokes (watch)
    expect(overall.evidence.map((e) => e.releaseId)).toEqual(seeded);
    expect(overall.evidence.map((e) => [e.region, e.delayMs / MIN, e.phase])).toEqual([
      ['eu-central', 12, 'watch'],
      ['us-east', 5, 'bake'],
      ['ap-south', 22, 'watch'],
      ['us-west', 10, 'bake'],
      ['eu-central', 20, 'watch'],
      ['us-east', 15, 'watch'],
    ]);
    for (const e of overall.evidence) expect(Date.parse(e.firstFailureAt) - Date.parse(e.rolloutCompletedAt)).toBe(e.delayMs);
    // per region: two failures are too few, and it says so
    const eu = res.body.regions.find((r) => r.region === 'eu-central')!;
    expect(eu).toMatchObject({ failures: 2, meanMs: 16 * MIN, maxMs: 20 * MIN });
    expect(eu.recommendations.twiceMean).toMatchObject({
      source: 'default',
      bakeMs: 10 * MIN,
      reason: 'only 2 failures in history (at least 3 needed): the default bake 10m',
    });
    expect(res.body.regions.map((r) => r.region)).toEqual(REGIONS);
  });

  it('with no history: no failures, the default bake and why; bad input is a 400 or 404', async () => {
    const res = await call<Smoke>(env.api.url, 'GET', '/v1/services/cart/time-to-smoke');
    expect(res.status).toBe(200);
    expect(res.body.overall).toMatchObject({ failures: 0, meanMs: null, p90Ms: null, evidence: [] });
    expect(res.body.overall.recommendations.twiceMean.reason).toBe('no failure in history (at least 3 needed): the default bake 10m');
    expect((await call(env.api.url, 'GET', '/v1/services/nope/time-to-smoke')).status).toBe(404);
    const bad = await call<{ errors: Array<{ field: string }> }>(env.api.url, 'GET', '/v1/services/checkout/time-to-smoke?days=0&x=1');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field).sort()).toEqual(['days', 'x']);
  });

  it('bake: auto is resolved when the release is created, clamped, shown with its reason, and frozen', async () => {
    const release = await env.create('checkout', '2.0.0', 1000);
    const rest = (release as unknown as { stages: Array<{ name: string; bakeMs: number; bakeReason?: string }> }).stages;
    expect(rest[0]).toMatchObject({ name: 'canary', bakeMs: 1000 });
    expect(rest[0]!.bakeReason).toBeUndefined();
    expect(rest[1]).toMatchObject({
      name: 'rest',
      bakeMs: 28 * MIN,
      bakeReason: 'auto: 2 × mean 14m over 6 failures = 28m, within [10m, 4h]',
    });
    // more history afterwards does not change the frozen plan
    await env.db.query('BEGIN');
    await seedHistory(
      { query: (sql, params) => env.db.query(sql, params) },
      { service: 'checkout', regions: REGIONS, bakeMs: 12 * MIN, smokes: [{ region: 'us-east', delayMs: 3 * 60 * MIN }] },
    );
    await env.db.query('COMMIT');
    const again = await call<{ plan: { stages: Array<{ bakeMs: number; bakeReason?: string }> } }>(
      env.api.url,
      'GET',
      `/v1/releases/${release.id}`,
    );
    expect(again.body.plan.stages[1]).toMatchObject({
      bakeMs: 28 * MIN,
      bakeReason: 'auto: 2 × mean 14m over 6 failures = 28m, within [10m, 4h]',
    });
    expect((await call(env.api.url, 'POST', `/v1/releases/${release.id}/rollback`, { reason: 'test done' })).status).toBe(200);

    // no history: the default bake, clamped to the plan's bounds, and the release runs with it
    const cart = await env.create('cart', '2.0.0', 1);
    const stages = (cart as unknown as { stages: Array<{ bakeMs: number; bakeReason?: string }> }).stages;
    expect(stages[0]).toMatchObject({
      bakeMs: 2000,
      bakeReason: 'auto: no failure in history (at least 3 needed): the default bake 10m, lowered to the maximum 2s of [1s, 2s]',
    });
    expect((await env.waitFor(cart.id, (r) => r.state === 'succeeded', 90_000)).state).toBe('succeeded');
  });

  it('reads what the engine wrote: a real slow smoke after verification, timed from the rollout to the first failing evaluation', async () => {
    // the fault starts 7s after 3.0.0 arrives in us-west: after the canary's 3s bake, so it is caught while watching
    env.sim.injectVersionFault({ version: '3.0.0', regions: ['us-west'], errorRate: 0.3, afterSeconds: 7 });
    try {
      const created = await env.create('search', '3.0.0', 1);
      const done = await env.waitFor(created.id, (r) => ['rolled_back', 'failed', 'succeeded'].includes(r.state), 90_000);
      expect(done.state).toBe('rolled_back');
      const failed = (await env.gates(created.id)).evaluations.find((e) => e.verdict === 'fail')!;
      const detail = await call<{ stages: Array<{ regions: Array<{ region: string; rolloutCompletedAt: string }> }> }>(
        env.api.url,
        'GET',
        `/v1/releases/${created.id}`,
      );
      const completed = detail.body.stages[0]!.regions[0]!.rolloutCompletedAt;
      const res = await call<Smoke>(env.api.url, 'GET', '/v1/services/search/time-to-smoke');
      expect(res.body.overall.failures).toBe(1);
      const [e] = res.body.overall.evidence;
      expect(e).toMatchObject({
        releaseId: created.id,
        region: 'us-west',
        phase: 'watch',
        rolloutCompletedAt: completed,
        firstFailureAt: failed.evaluatedAt,
      });
      expect(e!.delayMs).toBe(Date.parse(failed.evaluatedAt) - Date.parse(completed));
      expect(e!.delayMs).toBeGreaterThan(3_000); // after the bake
      console.log(`a real slow smoke: first failing evaluation ${e!.delayMs} ms after the rollout completed (fault after 7s)`);
    } finally {
      env.sim.clearVersionFaults();
    }
  });

  it('POST /v1/plans/propose: every region once, with reasons and measured traffic; the YAML is a valid plan', async () => {
    const res = await call<{
      plan: {
        canary: { region: string; reason: string };
        waves: Array<{ name: string; regions: Array<{ region: string; reason: string }> }>;
      };
      traffic: Array<{ region: string; requestRate: number | null }>;
      yaml: string;
      path: string;
    }>(env.api.url, 'POST', '/v1/plans/propose', { service: 'checkout' });
    expect(res.status).toBe(200);
    const placed = [res.body.plan.canary, ...res.body.plan.waves.flatMap((w) => w.regions)];
    expect(placed.map((p) => p.region).sort()).toEqual([...REGIONS].sort());
    expect(res.body.plan.canary).toMatchObject({ region: 'us-west' });
    expect(res.body.plan.canary.reason).toMatch(/^the service's canary region \(low traffic: [\d.]+ req\/s measured/);
    // the request rate was measured in Prometheus for every region (the simulator's rps per region)
    for (const t of res.body.traffic) expect(t.requestRate, t.region).toBeGreaterThan(0);
    // eu-central brings gdpr: the only low-traffic region left is not canary-like, so it is placed for its trait
    expect(res.body.plan.waves.map((w) => w.name)).toEqual(['high-traffic-canary-like', 'first-gdpr', 'first-mobile-heavy']);
    expect(res.body.plan.waves.map((w) => w.regions[0]!.region)).toEqual(['us-east', 'eu-central', 'ap-south']);
    expect(res.body.plan.waves[2]!.regions[0]!.reason).toMatch(
      /^first region with mobile-heavy \(also new: non-latin-input, time zone Asia\); high traffic: [\d.]+ req\/s measured/,
    );
    // the YAML, saved as the plan file, loads with the plan schema
    const dir = mkdtempSync(join(tmpdir(), 'tideline-proposal-'));
    mkdirSync(join(dir, 'plans'));
    mkdirSync(join(dir, 'services'));
    writeFileSync(join(dir, 'regions.yaml'), readFileSync(join(env.env.TIDELINE_CONFIG_DIR!, 'regions.yaml')));
    writeFileSync(join(dir, 'services', 'checkout.yaml'), readFileSync(join(env.env.TIDELINE_CONFIG_DIR!, 'services', 'checkout.yaml')));
    writeFileSync(join(dir, 'plans', 'checkout.yaml'), res.body.yaml);
    const plan = loadConfig(dir, {}).plans.get('checkout')!;
    expect([plan.canary.region, ...plan.waves.flatMap((w) => w.regions)]).toEqual(placed.map((p) => p.region));
    expect(res.body.path).toBe('config/plans/checkout.yaml');

    const subset = await call<{ plan: { canary: { region: string }; waves: unknown[] } }>(env.api.url, 'POST', '/v1/plans/propose', {
      service: 'checkout',
      regions: ['ap-south', 'us-east'],
    });
    expect(subset.status).toBe(200);
    expect(subset.body.plan.canary.region).toBe('ap-south'); // the quieter of the two (40 vs 60 req/s): no canary among them
    const bad = await call<{ errors: Array<{ field: string; message: string }> }>(env.api.url, 'POST', '/v1/plans/propose', {
      service: 'checkout',
      regions: ['us-east', 'mars', 'us-east'],
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(['extra']);
    const bad2 = await call<{ errors: Array<{ field: string; message: string }> }>(env.api.url, 'POST', '/v1/plans/propose', {
      service: 'checkout',
      regions: ['us-east', 'mars', 'us-east'],
    });
    expect(bad2.body.errors).toEqual([
      { field: 'regions[1]', message: 'unknown region "mars" (known: us-west, us-east, eu-central, ap-south)' },
      { field: 'regions[2]', message: 'region "us-east" is listed twice' },
    ]);
    expect((await call(env.api.url, 'POST', '/v1/plans/propose', { service: 'nope' })).status).toBe(400);
  });
});
