/**
 * The CLI's learning commands end to end (stdout a pipe, as in CI): API + worker, the region
 * simulator's load balancer and a real Prometheus, over a seeded history. time-to-smoke's
 * figures in text and JSON; plan propose's YAML loads with the config loader; a drain drill
 * with --wait exits 0 and prints drain99, a missed goal 1, --timeout 3; the auto-resolved bake
 * in `release get`; bad input 2.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#config';
import { DEMO_HISTORY, seedHistory } from '../../scripts/demo-history.js';
import { TEST_TOKEN } from '../support/auth.js';
import { call } from '../support/api-client.js';
import { lastJson, runCli } from '../support/cli.js';
import { REGION_RATE_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';

const MIN = 60_000;
const ESC = /\x1b/;
const REGIONS = ['us-west', 'us-east', 'eu-central', 'ap-south'];
const TRAITS: Record<string, object> = {
  'us-west': { timeZone: 'America/Los_Angeles', traits: { tier: 'low' } },
  'us-east': { timeZone: 'America/New_York', traits: { tier: 'high' } },
  'eu-central': { timeZone: 'Europe/Berlin', traits: { tier: 'low', tags: ['gdpr'] } },
  'ap-south': { timeZone: 'Asia/Kolkata', traits: { tier: 'high', tags: ['mobile-heavy', 'non-latin-input'] } },
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** a table row's cells (columns are separated by two or more spaces) */
const cells = (line: string | undefined) => (line ?? '').trim().split(/\s{2,}/);

describe('tideline time-to-smoke, plan propose, drill', () => {
  let env: GateEnv;
  let cliEnv: NodeJS.ProcessEnv;
  const tideline = (args: string[]) => runCli(args, cliEnv);

  beforeAll(async () => {
    env = await startGateEnv({
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
        {
          service: 'cart',
          plan: { defaults: { bake: '1s' }, canary: { region: 'us-west' }, waves: [{ name: 'rest', regions: ['us-east'] }] },
        },
      ],
    });
    cliEnv = { TIDELINE_URL: env.api.url, TIDELINE_TOKEN: TEST_TOKEN };
    // six past releases of checkout smoking at 5–22 minutes (mean 14m), and three past drain drills of eu-central (14m, 9m, 6m)
    await env.db.query('BEGIN');
    await seedHistory({ query: (sql, params) => env.db.query(sql, params) }, { service: 'checkout', regions: REGIONS, ...DEMO_HISTORY });
    await env.db.query('COMMIT');
  });

  afterAll(async () => {
    await env?.close();
  });

  it('time-to-smoke: the figures per region and overall in text, the same in JSON, and too few failures said clearly', async () => {
    const text = await tideline(['time-to-smoke', 'checkout']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).not.toMatch(ESC);
    const lines = text.stdout.split('\n');
    expect(cells(lines.find((l) => l.startsWith('REGION')))).toEqual([
      'REGION',
      'FAILURES',
      'MEAN',
      'P50',
      'P90',
      'MAX',
      'BAKE 2×MEAN',
      'BAKE P95',
    ]);
    expect(cells(lines.find((l) => l.startsWith('overall')))).toEqual(['overall', '6', '14m', '12m', '22m', '22m', '28m', '22m']);
    expect(cells(lines.find((l) => l.startsWith('eu-central')))).toEqual([
      'eu-central',
      '2',
      '16m',
      '12m',
      '20m',
      '20m',
      '10m (default)',
      '10m (default)',
    ]);
    expect(text.stdout).toContain('recommended bake: 28m — 2 × mean 14m over 6 failures = 28m');
    expect(text.stdout).toMatch(
      /too few failures \(at least 3 needed\) in us-west \(1\), us-east \(2\), eu-central \(2\), ap-south \(1\): the default bake 10m is recommended there/,
    );

    const json = await tideline(['time-to-smoke', 'checkout', '--days', '30', '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const body = lastJson<{ overall: Record<string, unknown> & { recommendations: { twiceMean: { bakeMs: number; reason: string } } } }>(
      json,
    );
    expect(body.overall).toMatchObject({ failures: 6, meanMs: 14 * MIN, p50Ms: 12 * MIN, p90Ms: 22 * MIN, maxMs: 22 * MIN });
    expect(body.overall.recommendations.twiceMean).toMatchObject({ bakeMs: 28 * MIN, reason: '2 × mean 14m over 6 failures = 28m' });

    const none = await tideline(['time-to-smoke', 'cart']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('too few failures overall: 0 found, at least 3 needed; recommended bake: the default 1s');
  });

  it('plan propose: every placement with its reason; -o yaml is a plan file the config loader accepts, in the same order', async () => {
    const json = await tideline(['plan', 'propose', 'checkout', '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const p = lastJson<{
      plan: { canary: { region: string; reason: string }; waves: Array<{ regions: Array<{ region: string; reason: string }> }> };
    }>(json);
    const placed = [p.plan.canary, ...p.plan.waves.flatMap((w) => w.regions)];
    expect(placed.map((x) => x.region).sort()).toEqual([...REGIONS].sort());

    const text = await tideline(['plan', 'propose', 'checkout']);
    expect(text.code, text.stderr).toBe(0);
    // each call measures the request rates afresh: compare the reasons with the figures masked
    const masked = (t: string) => t.replace(/[\d.]+ req\/s/g, 'N req/s');
    expect(masked(text.stdout)).toContain(masked(`1. canary: ${p.plan.canary.region}\n     ${p.plan.canary.reason}\n`));
    for (const x of placed) expect(masked(text.stdout)).toContain(masked(x.reason));

    const yaml = await tideline(['plan', 'propose', 'checkout', '-o', 'yaml']);
    expect(yaml.code, yaml.stderr).toBe(0);
    expect(yaml.stdout).toMatch(/^# Proposed by Tideline's wave planner for checkout/);
    const dir = mkdtempSync(join(tmpdir(), 'tideline-cli-proposal-'));
    mkdirSync(join(dir, 'plans'));
    mkdirSync(join(dir, 'services'));
    writeFileSync(join(dir, 'regions.yaml'), readFileSync(join(env.env.TIDELINE_CONFIG_DIR!, 'regions.yaml')));
    writeFileSync(join(dir, 'services', 'checkout.yaml'), readFileSync(join(env.env.TIDELINE_CONFIG_DIR!, 'services', 'checkout.yaml')));
    writeFileSync(join(dir, 'plans', 'checkout.yaml'), yaml.stdout);
    const plan = loadConfig(dir, {}).plans.get('checkout')!;
    expect([plan.canary.region, ...plan.waves.flatMap((w) => w.regions)]).toEqual(placed.map((x) => x.region));
    // and `config validate` agrees
    expect((await runCli(['config', 'validate', dir])).code).toBe(0);

    const subset = await tideline(['plan', 'propose', 'checkout', '--region', 'ap-south,us-east', '-o', 'json']);
    expect(subset.code, subset.stderr).toBe(0);
    expect(lastJson<{ plan: { canary: { region: string } } }>(subset).plan.canary.region).toBe('ap-south');
  });

  it('release get shows the bake resolved from history with its frozen reason', async () => {
    const created = await env.create('checkout', '2.0.0', 1000);
    try {
      const run = await tideline(['release', 'get', created.id]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('bake of rest: 28m (auto: 2 × mean 14m over 6 failures = 28m, within [10m, 4h])');
    } finally {
      expect((await call(env.api.url, 'POST', `/v1/releases/${created.id}/rollback`, { reason: 'test done' })).status).toBe(200);
      await env.waitFor(created.id, (r) => ['rolled_back', 'failed', 'succeeded'].includes(r.state), 90_000);
    }
  });

  /** The drill runs on: wait (through the API) until it has ended, so the next drill may start. */
  async function drillEnded(id: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const res = await call<{ state: string }>(env.api.url, 'GET', `/v1/drills/${id}`);
      if (['succeeded', 'failed', 'aborted'].includes(res.body.state)) return;
      await sleep(250);
    }
    throw new Error(`drill ${id} did not end`);
  }

  it('drill start --wait: a drain drill within its goal exits 0 and prints drain99; drill get and list show it with the trend', async () => {
    const run = await tideline([
      'drill',
      'start',
      '--kind',
      'drain',
      '--region',
      'us-east',
      '--goal',
      '10m',
      '--reason',
      'weekly practice',
      '--wait',
      '--timeout',
      '2m',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(ESC);
    const id = /^drill ([0-9a-f-]{36}) started/.exec(run.stdout)![1]!;
    expect(run.stdout).toMatch(/^\[\d\d:\d\d:\d\d\] drill drain us-east: running/m);
    expect(run.stdout).toMatch(/^ {2}drain99 +\d+\.\ds +goal 10m: met goal$/m);
    expect(run.stdout).toMatch(/^ {2}restore +\d+\.\ds$/m);
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^drill ${id} succeeded and met its goal \\(drain99 \\d+\\.\\ds ≤ goal 10m\\)$`));

    const get = await tideline(['drill', 'get', id, '-o', 'json']);
    expect(get.code, get.stderr).toBe(0);
    const d = lastJson<{ state: string; firstMs: number; metGoal: boolean; events: unknown[] }>(get);
    expect(d).toMatchObject({ state: 'succeeded', metGoal: true });
    expect(run.stdout).toContain(`drain99 ${(Math.round(d.firstMs / 100) / 10).toFixed(1)}s`);
    console.log(`CLI drain drill us-east: drain99 ${d.firstMs} ms`);

    const list = await tideline(['drill', 'list']);
    expect(list.code, list.stderr).toBe(0);
    const trend = list.stdout.split('trend')[1]!.split('\n');
    expect(cells(trend.find((l) => l.trim().startsWith('eu-central')))).toEqual([
      'eu-central',
      'drain',
      '3',
      '2/3',
      '10m',
      '6m',
      '6m',
      '↓ faster',
      '14m → 9m → 6m',
    ]);
    expect(cells(trend.find((l) => l.trim().startsWith('us-east'))).slice(0, 4)).toEqual(['us-east', 'drain', '1', '1/1']);
    const filtered = await tideline(['drill', 'list', '--region', 'eu-central', '--kind', 'drain', '-o', 'json']);
    expect(lastJson<{ items: unknown[]; trend: Array<{ region: string }> }>(filtered).trend.map((t) => t.region)).toEqual(['eu-central']);
  });

  it('drill start --wait: a missed goal exits 1 saying so; --timeout exits 3 with the drill still running as the last JSON line', async () => {
    const missed = await tideline([
      'drill',
      'start',
      '--kind',
      'drain',
      '--region',
      'eu-central',
      '--goal',
      '10ms',
      '--reason',
      'impossible goal',
      '--wait',
      '--timeout',
      '2m',
    ]);
    expect(missed.code, missed.stdout + missed.stderr).toBe(1);
    expect(missed.stdout.trim().split('\n').at(-1)).toMatch(/succeeded but missed its goal \(drain99 \d+\.\ds > goal 10ms\)$/);

    const timedOut = await tideline([
      'drill',
      'start',
      '--kind',
      'drain',
      '--region',
      'ap-south',
      '--goal',
      '10m',
      '--reason',
      'short wait',
      '--wait',
      '--timeout',
      '1s',
      '-o',
      'json',
    ]);
    expect(timedOut.code, timedOut.stderr).toBe(3);
    expect(timedOut.stderr).toMatch(/timed out after 1s: drill [0-9a-f-]{36} is still running/);
    const last = lastJson<{ id: string; state: string }>(timedOut);
    expect(last.state).toBe('running');
    await drillEnded(last.id);
  });

  it('bad input exits 2 with the field named; a wrong token 6', async () => {
    const bad = await tideline(['drill', 'start', '--kind', 'drain', '--region', 'EU', '--goal', 'soon', '--reason', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ {2}goal: /m);
    expect(bad.stderr).toMatch(/^ {2}region: /m);
    const kind = await tideline(['drill', 'start', '--kind', 'fire', '--region', 'us-east', '--goal', '10m', '--reason', 'x']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain("argument 'fire' is invalid");
    expect((await tideline(['drill', 'start', '--region', 'us-east', '--goal', '10m', '--reason', 'x'])).code).toBe(2);
    const rollback = await tideline(['drill', 'start', '--kind', 'rollback', '--region', 'us-east', '--goal', '10m', '--reason', 'x']);
    expect([rollback.code, rollback.stderr]).toEqual([2, expect.stringContaining('  service: is required for a rollback drill')]);
    expect((await tideline(['drill', 'get', '42'])).code).toBe(2);
    const days = await tideline(['time-to-smoke', 'checkout', '--days', '0']);
    expect([days.code, days.stderr]).toEqual([2, expect.stringMatching(/^ {2}days: /m)]);
    expect((await tideline(['time-to-smoke', 'nope'])).code).toBe(2);
    const mars = await tideline(['plan', 'propose', 'checkout', '--region', 'mars']);
    expect([mars.code, mars.stderr]).toEqual([2, expect.stringContaining('  regions[0]: unknown region "mars"')]);
    expect((await tideline(['plan', 'propose', 'checkout', '-o', 'xml'])).code).toBe(2);
    expect((await runCli(['time-to-smoke', 'checkout'], { TIDELINE_URL: env.api.url, TIDELINE_TOKEN: 'wrong' })).code).toBe(6);
    // a refused drill writes nothing
    const before = await call<{ items: unknown[] }>(env.api.url, 'GET', '/v1/drills');
    expect((await tideline(['drill', 'start', '--kind', 'drain', '--region', 'us-east', '--goal', '-1m', '--reason', 'x'])).code).toBe(2);
    expect((await call<{ items: unknown[] }>(env.api.url, 'GET', '/v1/drills')).body.items).toHaveLength(before.body.items.length);
  });
});
