/**
 * The dashboard in a real browser (Debian chromium via playwright-core) against the API, the
 * worker, the simulator and Prometheus: the page loads without a token and asks for one; a bad
 * token is refused; a release reaches succeeded on screen without a reload; a gate failure shows
 * in its chart with the threshold and the failing value; rollback from the button with a reason
 * rolls the release back and the timeline names the actor; a read-only token cannot act.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sha256Hex } from '#config';
import { launchChromium, type RunningBrowser } from '../../scripts/chromium.js';
import { call, TERMINAL } from '../support/api-client.js';
import { TEST_ACTOR, TEST_TOKEN } from '../support/auth.js';
import { ERROR_RATE_QUERY, REQUESTS_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';

const VIEWER = 'viewer-token-5e6f7a8b9c0d1e2f3a4b';
const errorRateGate = {
  name: 'error-rate',
  query: ERROR_RATE_QUERY,
  condition: '< 0.01',
  interval: '1s',
  window: '5s',
  minEvidence: { query: REQUESTS_QUERY, min: 5 },
};
const plan = (bake: string) => ({
  defaults: { bake, progressDeadline: '5s', gates: [errorRateGate] },
  canary: { region: 'us-west' },
  waves: [{ name: 'wave-1', regions: ['us-east', 'eu-west'] }],
});

describe('dashboard in a browser', () => {
  let env: GateEnv;
  let browser: RunningBrowser;

  beforeAll(async () => {
    [env, browser] = await Promise.all([
      startGateEnv({
        regions: ['us-west', 'us-east', 'eu-west'],
        services: [
          { service: 'cart', plan: plan('6s') },
          { service: 'pay', plan: plan('4s') },
          { service: 'search', plan: plan('120s') },
        ],
        tokens: [{ name: 'viewer', scopes: ['read'], sha256: sha256Hex(VIEWER) }],
      }),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  async function signedIn(token: string): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(`${env.api.url}/`);
    await page.fill('input[name=token]', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=whoami]', { timeout: 15_000 });
    return page;
  }

  const stateOf = (page: Page) => page.getAttribute('[data-testid=release-state] [data-state]', 'data-state');

  it('serves the page without a token, with a CSP and immutable hashed assets; nothing under /v1 without one', async () => {
    for (const path of ['/', '/regions', '/audit', '/releases/00000000-0000-4000-8000-000000000000']) {
      const res = await fetch(`${env.api.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      const html = await res.text();
      expect(html).not.toMatch(/<script>(?!<)/);
      const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
      const js = await fetch(`${env.api.url}${asset}`);
      expect(js.status).toBe(200);
      expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    for (const path of ['/v1/releases', '/v1/stream', '/v1/whoami', '/releases', '/assets/../v1/releases']) {
      expect((await fetch(`${env.api.url}${path}`)).status, path).toBe(401);
    }
    const who = await call<{ name: string; scopes: string[] }>(env.api.url, 'GET', '/v1/whoami', undefined, {
      authorization: `Bearer ${VIEWER}`,
    });
    expect(who.body).toEqual({ name: 'viewer', scopes: ['read'] });
  });

  it('a bad token gets a clear sign-in error and no data', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${env.api.url}/`);
    await page.fill('input[name=token]', 'not-a-real-token-123456');
    await page.click('button[type=submit]');
    const error = await page.waitForSelector('[data-testid=signin-error]', { timeout: 15_000 });
    expect(await error.textContent()).toMatch(/sign-in refused: the bearer token is not valid/);
    expect(await page.evaluate("sessionStorage.getItem('tideline.token')")).toBeNull();
    await page.close();
  });

  it('a release moves to succeeded on screen without a reload', async () => {
    const page = await signedIn(TEST_TOKEN);
    const created = await env.create('cart', '2.0.0', 1);
    await page.goto(`${env.api.url}/releases/${created.id}`);
    await page.waitForSelector('[data-testid=release-state] [data-state]');
    await page.evaluate('window.notReloaded = true');
    expect(['queued', 'running']).toContain(await stateOf(page));
    await page.waitForSelector('[data-testid=release-state] [data-state=succeeded]', { timeout: 90_000 }).catch(async (err: Error) => {
      const api = await call<{ state: string; stateReason: string }>(env.api.url, 'GET', `/v1/releases/${created.id}`);
      throw new Error(
        `${err.message}; on screen: ${await stateOf(page)}, in the API: ${api.body.state} (${api.body.stateReason}); timeline: ${await page.locator('.timeline li').count()} events; live: ${await page.textContent('.live')}`,
      );
    });
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(await page.locator('.tile[data-state=verified]').count()).toBe(3);
    // the home page lists it among the recently ended
    await page.click('a[href="/"]');
    await page.waitForSelector(`[data-testid=group-ended] tr[data-release="${created.id}"]`);
    await page.close();
  }, 120_000);

  it('a gate failure shows in its chart with the threshold and the failing value', async () => {
    env.sim.injectVersionFault({ version: '2.0.0', errorRate: 0.05 });
    try {
      const page = await signedIn(TEST_TOKEN);
      const created = await env.create('pay', '2.0.0', 1);
      await page.goto(`${env.api.url}/releases/${created.id}`);
      await page.waitForSelector('[data-testid=release-state] [data-state=rolled_back]', { timeout: 90_000 });
      const card = page.locator('article.gate.failed[data-region=us-west]');
      await card.locator('[data-testid=gate-failure]').waitFor({ timeout: 15_000 });
      const chart = card.locator('[data-testid=gate-chart]');
      expect(await chart.getAttribute('data-threshold')).toBe('0.01');
      const fails = (await chart.getAttribute('data-fail-values'))!.split(',').map(Number);
      expect(fails).toHaveLength(1);
      expect(fails[0]).toBeCloseTo(0.05, 2);
      expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
      const text = (await card.locator('[data-testid=gate-failure]').textContent())!;
      expect(text).toMatch(/observed 0\.0[45]\d* against < 0\.01/);
      expect(await card.locator('[data-testid=gate-streak]').textContent()).toBe('failed: 1 of 1 failures in a row');
      expect(await card.locator('pre').first().textContent()).toContain('region="us-west", deployment="pay", version="2.0.0"');
      // DASHBOARD_SCREENSHOT=docs/dashboard.png: the README's picture of a release page
      if (process.env.DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true });
      await page.close();
    } finally {
      env.sim.clearVersionFaults();
    }
  });

  it('rollback with a reason from the button rolls the release back; the timeline shows the actor', async () => {
    const page = await signedIn(TEST_TOKEN);
    const created = await env.create('search', '2.0.0', 1);
    await page.goto(`${env.api.url}/releases/${created.id}`);
    await page.waitForSelector('.tile[data-region=us-west][data-state=baking]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid=bake-countdown]');
    await page.click('button[data-action=rollback]');
    await page.fill('[data-testid=reason-form] input[name=reason]', 'error budget burn seen on the dashboard');
    await page.click('[data-testid=confirm-action]');
    await page.waitForSelector('[data-testid=action-result].ok');
    await page.waitForSelector('[data-testid=release-state] [data-state=rolled_back]', { timeout: 60_000 });
    const row = page.locator('.timeline li.operator[data-type="release.rolling_back"]');
    await row.waitFor();
    expect(await row.locator('[data-testid=event-actor]').textContent()).toBe(TEST_ACTOR);
    expect(await row.textContent()).toContain('error budget burn seen on the dashboard');
    const done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state));
    expect(done.state).toBe('rolled_back');
    await page.close();
  });

  it('a read-only token sees the actions disabled with the missing scope named, and the API refuses it', async () => {
    const created = await env.create('search', '2.0.1', 2);
    const page = await signedIn(VIEWER);
    expect(await page.textContent('[data-testid=whoami]')).toContain('viewer · read');
    await page.goto(`${env.api.url}/releases/${created.id}`);
    const pause = page.locator('button[data-action=pause]');
    await pause.waitFor({ timeout: 60_000 });
    expect(await pause.isDisabled()).toBe(true);
    expect(await pause.getAttribute('title')).toBe('needs scope releases:operate');
    expect(await page.textContent('[data-testid=scope-note]')).toContain('needs scope releases:operate');
    const res = await call(
      env.api.url,
      'POST',
      `/v1/releases/${created.id}/pause`,
      { reason: 'viewer' },
      { authorization: `Bearer ${VIEWER}` },
    );
    expect(res.status).toBe(403);
    await page.goto(`${env.api.url}/regions`);
    await page.waitForSelector('[data-testid=regions] tr[data-region=us-west]');
    await call(env.api.url, 'POST', `/v1/releases/${created.id}/rollback`, { reason: 'test over' });
    await page.close();
  });
});
