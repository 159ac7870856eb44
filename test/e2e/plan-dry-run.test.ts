/**
 * Plan dry run end to end (POST /v1/plans/dry-run and `tideline plan`): stages in order, each
 * gate's query resolved per region, today's blockers (a freeze with its opening time, a firing
 * alert from a real Prometheus), an estimate from deploy history, and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKEN } from '../support/auth.js';
import { call, TERMINAL } from '../support/api-client.js';
import { lastJson, runCli } from '../support/cli.js';
import { ERROR_RATE_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';

interface DryRun {
  service: string;
  plan: string;
  stages: Array<{
    name: string;
    regions: string[];
    maxParallel: number;
    bakeMs: number;
    approval: string;
    onFailure: string;
    gates: Array<{ name: string; worstCaseBreachToActionMs: number; queries: Array<{ region: string; query: string }> }>;
  }>;
  blockers: Array<{ region: string; kind: string; reason: string; opensAt: string | null }>;
  estimate: { totalMs: number; bakeMs: number; deployMs: number; deployPerRegionMs: number; deploySource: string; approvals: number };
}

const TABLES = ['releases', 'region_targets', 'release_events', 'gate_evaluations', 'region_operations'];

describe('plan dry run', () => {
  let env: GateEnv;
  let freezeEndsMs = 0;

  beforeAll(async () => {
    freezeEndsMs = Math.ceil((Date.now() + 6 * 3_600_000) / 1000) * 1000;
    env = await startGateEnv({
      regions: ['eu-west', 'ap-east', 'us-east', 'eu-north'],
      regionExtras: (region) =>
        region === 'ap-east'
          ? {
              timeZone: 'Asia/Hong_Kong',
              deploymentWindow: {
                freezes: [
                  { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(freezeEndsMs).toISOString(), reason: 'dry-run freeze' },
                ],
              },
            }
          : {},
      services: [
        {
          service: 'checkout',
          plan: {
            defaults: {
              bake: '10m',
              progressDeadline: '5s',
              gates: [
                {
                  name: 'error-rate',
                  query: ERROR_RATE_QUERY,
                  condition: '< 0.01',
                  interval: '30s',
                  failureLimit: 2,
                  timeout: '5s',
                  window: '2m',
                },
              ],
            },
            canary: { region: 'eu-west', bake: '1s' },
            waves: [
              { name: 'asia', regions: ['ap-east'], approval: 'required', onFailure: 'pause' },
              { name: 'rest', regions: ['us-east', 'eu-north'], maxParallel: 1, bake: '5m' },
            ],
          },
        },
        { service: 'quick', plan: { defaults: { bake: '500ms', progressDeadline: '5s' }, canary: { region: 'us-east' } } },
      ],
    });
  });

  afterAll(async () => {
    await env?.close();
  });

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const t of TABLES) out[t] = (await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0]!.n;
    return out;
  };

  it('shows stages, resolved queries, blockers with their opening time and an estimate, writing nothing', async () => {
    env.sim.setAlert('us-east', 'HighLatency', true);
    await env.prom.waitFor('ALERTS{alertstate="firing", region="us-east"}', (s) => s.length > 0, 30_000);
    const before = await counts();
    const res = await call<DryRun>(env.api.url, 'POST', '/v1/plans/dry-run', {
      service: 'checkout',
      version: '2.4.0',
      image: 'registry.example.com/shop/checkout:2.4.0',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const p = res.body;
    expect(p.plan).toBe('checkout');
    expect(p.stages.map((s) => [s.name, s.regions, s.maxParallel, s.bakeMs, s.approval, s.onFailure])).toEqual([
      ['canary', ['eu-west'], 1, 1_000, 'none', 'rollback'],
      ['asia', ['ap-east'], 1, 600_000, 'required', 'pause'],
      ['rest', ['us-east', 'eu-north'], 1, 300_000, 'none', 'rollback'],
    ]);
    const rest = p.stages[2]!.gates[0]!;
    expect(rest.worstCaseBreachToActionMs).toBe(30_000 * 2 + 5_000);
    expect(rest.queries.map((q) => q.region)).toEqual(['us-east', 'eu-north']);
    expect(rest.queries[1]!.query).toBe(
      'sum(rate(sim_http_requests_total{region="eu-north", deployment="checkout", version="2.4.0", code="500"}[2m])) / sum(rate(sim_http_requests_total{region="eu-north", deployment="checkout", version="2.4.0"}[2m]))',
    );
    const freeze = p.blockers.find((b) => b.region === 'ap-east')!;
    expect(freeze).toMatchObject({ kind: 'window', opensAt: new Date(freezeEndsMs).toISOString() });
    expect(freeze.reason).toMatch(/dry-run freeze/);
    const alert = p.blockers.find((b) => b.region === 'us-east')!;
    expect(alert).toMatchObject({ kind: 'alert', opensAt: null });
    expect(alert.reason).toMatch(/alert firing in us-east/);
    expect(p.blockers.filter((b) => b.region === 'eu-west' || b.region === 'eu-north')).toEqual([]);
    // no history yet: the stated default per region; rounds: canary 1, asia 1, rest 2 (one at a time)
    expect(p.estimate.deploySource).toMatch(/default 2m per region \(no deploy history yet\)/);
    expect(p.estimate.bakeMs).toBe(1_000 + 600_000 + 2 * 300_000);
    expect(p.estimate.deployMs).toBe(4 * 120_000);
    expect(p.estimate.totalMs).toBe(p.estimate.bakeMs + p.estimate.deployMs);
    expect(p.estimate.approvals).toBe(1);
    expect(await counts()).toEqual(before);

    const bad = await call<{ errors: Array<{ field: string }> }>(env.api.url, 'POST', '/v1/plans/dry-run', {
      service: 'checkout',
      image: 'registry.example.com/shop/checkout:latest',
    });
    expect([bad.status, bad.body.errors.map((e) => e.field)]).toEqual([400, ['image']]);
    const unknown = await call<{ errors: Array<{ field: string }> }>(env.api.url, 'POST', '/v1/plans/dry-run', {
      service: 'nope',
      extra: 1,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e) => e.field)).toEqual(['extra']);
    expect(await counts()).toEqual(before);
    env.sim.setAlert('us-east', 'HighLatency', false);
  });

  it('estimates deploy time from history, and `tideline plan` prints it for people and as JSON', async () => {
    const created = await env.create('quick', '2.0.0', 1);
    const done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state), 60_000);
    expect(done.state).toBe('succeeded');
    const cli = { TIDELINE_URL: env.api.url, TIDELINE_TOKEN: TEST_TOKEN };
    const json = await runCli(['plan', 'quick', '--version', '2.1.0', '-o', 'json'], cli);
    expect(json.code, json.stderr).toBe(0);
    const p = lastJson<DryRun>(json);
    expect(p.estimate.deploySource).toBe('median of the last 1 deploy of quick');
    expect(p.estimate.deployPerRegionMs).toBeLessThan(60_000);
    const text = await runCli(['plan', 'checkout', '--version', '2.4.0'], cli);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^1\. canary: eu-west · max 1 at once · bake 1s · on failure rollback$/m);
    expect(text.stdout).toMatch(/^2\. asia: ap-east · .* · approval required$/m);
    expect(text.stdout).toMatch(/gate error-rate < 0\.01 every 30s × 2 · worst case breach→action 1m5s/);
    expect(text.stdout).toMatch(
      / {5}eu-north: sum\(rate\(sim_http_requests_total\{region="eu-north", deployment="checkout", version="2\.4\.0"/,
    );
    expect(text.stdout).toMatch(new RegExp(`ap-east\\s+window\\s+.*dry-run freeze.*\\s+${new Date(freezeEndsMs).toISOString()}`));
    expect(text.stdout).toMatch(/^estimated duration: /m);
    expect(text.stdout).not.toMatch(/\x1b/);
  });
});
