/**
 * The dashboard's learning surfaces in a real browser (Debian chromium via playwright-core) against
 * the API, the worker, the simulator's load balancer and Prometheus: time-to-smoke figures of a
 * seeded history with its evidence; a proposed plan with its reasons and YAML; a drain drill started
 * from the regions page completes and shows its drain time against the goal; a read-only token
 * cannot start one; a stage's `bake: auto` reason on the release page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sha256Hex } from '#config';
import { launchChromium, type RunningBrowser } from '../../scripts/chromium.js';
import { DEMO_HISTORY, seedHistory } from '../../scripts/demo-history.js';
import { call } from '../support/api-client.js';
import { TEST_TOKEN } from '../support/auth.js';
import { REGION_RATE_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';

const VIEWER = 'viewer-token-9a8b7c6d5e4f3a2b1c0d';
const REGIONS = ['us-west', 'us-east', 'eu-central', 'ap-south'];
const TRAITS: Record<string, object> = {
  'us-west': { timeZone: 'America/Los_Angeles', traits: { tier: 'low' } },
  'us-east': { timeZone: 'America/New_York', traits: { tier: 'high' } },
  'eu-central': { timeZone: 'Europe/Berlin', traits: { tier: 'low', tags: ['gdpr'] } },
  'ap-south': { timeZone: 'Asia/Kolkata', traits: { tier: 'high', tags: ['mobile-heavy', 'non-latin-input'] } },
};
const AUTO_REASON = 'auto: 2 × mean 14m over 6 failures = 28m, within [10m, 4h]';

describe('dashboard: learning from history in a browser', () => {
  let env: GateEnv;
  let browser: RunningBrowser;
  let seeded: string[] = [];

  beforeAll(async () => {
    [env, browser] = await Promise.all([
      startGateEnv({
        regions: REGIONS,
        simulator: {
          lbRampMs: 1500,
          traffic: { 'us-east': { rps: 60 }, 'ap-south': { rps: 40 }, 'us-west': { rps: 5 }, 'eu-central': { rps: 10 } },
        },
        regionExtras: (region, simUrl) => ({
          ...TRAITS[region],
          traffic: {
            provider: 'simulator',
            url: simUrl,
            rateQuery: REGION_RATE_QUERY,
            window: '3s',
            drainedFraction: 0.05,
            drainTimeout: '30s',
          },
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
        ],
        tokens: [{ name: 'viewer', scopes: ['read'], sha256: sha256Hex(VIEWER) }],
      }),
      launchChromium(),
    ]);
    // six past releases of checkout, each smoking in one region at a known delay (the learning e2e test's history)
    await env.db.query('BEGIN');
    seeded = await seedHistory(
      { query: (sql, params) => env.db.query(sql, params) },
      { service: 'checkout', regions: REGIONS, bakeMs: DEMO_HISTORY.bakeMs, smokes: DEMO_HISTORY.smokes },
    );
    await env.db.query('COMMIT');
  });

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  async function signedIn(token: string, path: string): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(`${env.api.url}${path}`);
    await page.fill('input[name=token]', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=whoami]', { timeout: 15_000 });
    return page;
  }
  const cells = async (page: Page, row: string) => page.locator(`${row} td`).allTextContents();

  it('time-to-smoke of a seeded history: figures per region and overall, the recommendations, too few failures said, the evidence linked', async () => {
    const page = await signedIn(TEST_TOKEN, '/regions?service=checkout');
    await page.waitForSelector('[data-testid=time-to-smoke] tr[data-smoke=overall]', { timeout: 15_000 });
    // region, failures, mean, p50, p90, max, bake 2 × mean, bake p95
    expect(await cells(page, 'tr[data-smoke=overall]')).toEqual([
      'all regions',
      '6',
      '14m 00s',
      '12m 00s',
      '22m 00s',
      '22m 00s',
      '28m 00s',
      '22m 00s',
    ]);
    expect(await page.textContent('[data-testid=smoke-recommendation]')).toContain(
      '28m 00s by 2 × mean — 2 × mean 14m over 6 failures = 28m',
    );
    const eu = await cells(page, 'tr[data-smoke=eu-central]');
    expect(eu.slice(0, 3)).toEqual(['eu-central', '2', '16m 00s']);
    expect(eu[6]).toBe('10m 00s (default)');
    expect(eu[7]).toContain('too few failures (2 of at least 3)');
    expect(await page.getAttribute('tr[data-smoke=eu-central]', 'title')).toContain(
      'only 2 failures in history (at least 3 needed): the default bake 10m',
    );
    const links = await page.locator('[data-testid=smoke-evidence] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(seeded.map((id) => `/releases/${id}`));
    expect(await page.locator('[data-testid=smoke-evidence] li').first().textContent()).toMatch(
      /in eu-central: .+ failed 12m 00s after the rollout \(slow smoke, after verification\)/,
    );
    await page.close();
  });

  it('a proposed plan shows every placement with its reason, and the YAML to copy', async () => {
    const page = await signedIn(TEST_TOKEN, '/regions?service=checkout');
    await page.click('[data-testid=propose-plan]');
    const proposal = page.locator('[data-testid=plan-proposal]');
    await proposal.locator('li[data-wave=canary] li[data-region=us-west]').waitFor({ timeout: 30_000 });
    expect(await proposal.locator('li[data-wave=canary] li[data-region=us-west] .reason').textContent()).toMatch(
      /^the service's canary region \(low traffic: [\d.]+ req\/s measured/,
    );
    const placed = await proposal.locator('li[data-region]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-region')));
    expect([...placed].sort()).toEqual([...REGIONS].sort());
    expect(await proposal.locator('li[data-wave] > small').count()).toBe((await proposal.locator('li[data-wave]').count()) - 1);
    expect(await proposal.locator('li[data-region=ap-south] .reason').textContent()).toMatch(/^first region with mobile-heavy/);
    const yaml = (await page.textContent('[data-testid=plan-yaml]'))!;
    expect(yaml).toContain('bake: auto');
    expect(yaml).toContain('region: us-west');
    expect(await page.textContent('[data-testid=plan-proposal]')).toContain('config/plans/checkout.yaml');
    await page.close();
  });

  it('a drain drill started from the regions page completes and shows its drain time against the goal, and its trend', async () => {
    const page = await signedIn(TEST_TOKEN, '/regions');
    await page.click('[data-testid=start-drill]');
    await page.selectOption('[data-testid=drill-form] select[name=kind]', 'drain');
    await page.selectOption('[data-testid=drill-form] select[name=region]', 'eu-central');
    await page.fill('[data-testid=drill-form] input[name=goal]', '10m');
    await page.fill('[data-testid=drill-form] input[name=reason]', 'practice from the dashboard');
    await page.click('[data-testid=confirm-drill]');
    await page.waitForSelector('[data-testid=drill-result].ok');
    const progress = page.locator('[data-testid=drill-progress]');
    await page.waitForSelector('[data-testid=drill-progress][data-state=succeeded]', { timeout: 90_000 }).catch(async (err: Error) => {
      throw new Error(`${err.message}; on screen: ${await progress.textContent().catch(() => '(none)')}`);
    });
    const firstMs = Number(await progress.getAttribute('data-first-ms'));
    expect(firstMs).toBeGreaterThan(0);
    expect(await progress.getAttribute('data-goal-ms')).toBe('600000');
    const text = (await progress.textContent())!;
    expect(text).toMatch(
      /^drain drill of eu-central by .+: drained in \d+\.\ds — met the goal 10m 00s · restored in \d+\.\ds · succeeded$/,
    );
    // the API holds the same figure; traffic is back
    const drills = await call<{ items: Array<{ region: string; firstMs: number; secondMs: number; state: string; reason: string }> }>(
      env.api.url,
      'GET',
      '/v1/drills?region=eu-central',
    );
    expect(drills.body.items[0]).toMatchObject({
      region: 'eu-central',
      firstMs,
      state: 'succeeded',
      reason: 'practice from the dashboard',
    });
    // the load balancer ramps: the restored region reaches weight 100 shortly after the restore is verified
    const back = Date.now() + 15_000;
    while (env.sim.weights()['eu-central'] !== 100 && Date.now() < back) await new Promise((r) => setTimeout(r, 100));
    expect(env.sim.weights()['eu-central']).toBe(100);
    console.log(
      `drain drill from the dashboard: 99% drained in ${firstMs} ms, restored in ${drills.body.items[0]!.secondMs} ms (goal 10m)`,
    );
    // the region's trend: its time against the goal
    const trend = page.locator('[data-testid=drill-trends] tr[data-region=eu-central][data-kind=drain]');
    await trend.waitFor({ timeout: 15_000 });
    const svg = trend.locator('svg.trend');
    expect(await svg.getAttribute('data-times')).toBe(String(firstMs));
    expect(await svg.getAttribute('data-goal-ms')).toBe('600000');
    expect(await svg.locator('circle.met').count()).toBe(1);
    expect(await trend.textContent()).toContain('1 of 1 met the goal');
    await page.close();
  }, 120_000);

  it('a read-only token cannot start a drill: the button is disabled with the scope named, and the API refuses it', async () => {
    const page = await signedIn(VIEWER, '/regions');
    const start = page.locator('[data-testid=start-drill]');
    await start.waitFor({ timeout: 15_000 });
    expect(await start.isDisabled()).toBe(true);
    expect(await start.getAttribute('title')).toBe('needs scope releases:operate');
    expect(await page.textContent('[data-testid=drills]')).toContain('read-only: drills need scope releases:operate');
    const res = await call(
      env.api.url,
      'POST',
      '/v1/drills',
      { kind: 'drain', region: 'us-east', goal: '10m', reason: 'viewer' },
      { authorization: `Bearer ${VIEWER}` },
    );
    expect(res.status).toBe(403);
    // reading is allowed: the viewer sees the time-to-smoke too
    await page.goto(`${env.api.url}/regions?service=checkout`);
    await page.waitForSelector('[data-testid=time-to-smoke] tr[data-smoke=overall]', { timeout: 15_000 });
    await page.close();
  });

  it("the release page shows a stage's bake resolved from bake: auto with its reason", async () => {
    const created = await env.create('checkout', '2.0.0', 1000); // past the seeded history's release numbers
    const page = await signedIn(TEST_TOKEN, `/releases/${created.id}`);
    const rest = page.locator('.wave[data-stage=rest]');
    await rest.locator('[data-testid=bake-reason]').waitFor({ timeout: 15_000 });
    expect(await rest.locator('.wave-meta').textContent()).toContain(`bake 28m 00s (${AUTO_REASON})`);
    expect(await page.locator('.wave[data-stage=canary] [data-testid=bake-reason]').count()).toBe(0);
    await call(env.api.url, 'POST', `/v1/releases/${created.id}/rollback`, { reason: 'test over' });
    await page.close();
  });
});
