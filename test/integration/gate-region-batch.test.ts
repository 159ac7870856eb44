/**
 * One gate query for many regions against a real Prometheus scraping the simulator: for the
 * gate templates the tests use, the batched query split per region gives each region exactly
 * the verdict, reason and series its own query gives (both evaluated at one instant), with one
 * query instead of one per region; templates that do not qualify still run per region.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSource, MetricsSources } from '#application';
import {
  formatPromDuration,
  judgeGate,
  parsePromResponse,
  renderQuery,
  type GateSpec,
  type QueryOutcome,
  type TemplateVars,
} from '#domain';
import { createMetricsSource } from '#integrations';
import { GateQueryRound } from '../../libs/application/src/engine/gate-queries.js';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { startPrometheus, type RunningPrometheus } from '../../scripts/prometheus.js';
import { ERROR_RATE_QUERY, P90_BASELINE_QUERY, REQUESTS_QUERY } from '../support/gate-env.js';

const REGIONS = ['r1', 'r2', 'r3', 'r4'];
/** r5 is configured but has no traffic at all: its series are missing from every answer */
const ASKED = [...REGIONS, 'r5'];
const WINDOW_MS = 10_000;

/** Instant queries at one fixed time, so per-region and batched answers see the same samples. */
class AtTime implements MetricsSource {
  sent: string[] = [];
  constructor(
    private readonly url: string,
    private readonly at: () => number,
  ) {}
  async query(promql: string): Promise<QueryOutcome> {
    this.sent.push(promql);
    const body = new URLSearchParams({ query: promql, time: (this.at() / 1000).toFixed(3) });
    const res = await fetch(`${this.url}/api/v1/query`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
    const parsed = parsePromResponse(await res.json());
    if (!parsed.ok) return { ok: false, error: parsed.error, status: res.status, durationMs: 0 };
    return { ok: true, result: parsed.result, durationMs: 0 };
  }
}

const sources = (source: MetricsSource, grouped: boolean): MetricsSources => ({
  forRegion: () => source,
  ...(grouped ? { groupByEndpoint: (regions: readonly string[]) => [[...regions]] } : {}),
});

function gate(query: string, over: Partial<GateSpec> = {}): GateSpec {
  return {
    name: 'g',
    query,
    condition: { kind: 'threshold', op: '<', value: 0.01 },
    intervalMs: 1000,
    windowMs: WINDOW_MS,
    failureLimit: 1,
    errorLimit: 3,
    inconclusive: 'pause',
    series: 'all',
    queryTimeoutMs: 5000,
    ...over,
  };
}

const vars = (region: string): TemplateVars => ({
  region,
  service: 'web',
  namespace: 'bench',
  version: '1.0.0',
  previousVersion: '',
  window: formatPromDuration(WINDOW_MS),
});

describe('a gate for many regions in one Prometheus query', () => {
  let sim: RunningSimulator;
  let prom: RunningPrometheus;
  let at = 0;

  beforeAll(async () => {
    sim = await startSimulator({
      regions: REGIONS,
      stepMs: 50,
      deployments: [{ namespace: 'bench', name: 'web', container: 'app', image: 'registry.example.com/bench/web:1.0.0' }],
    });
    prom = await startPrometheus({ scrapeTargets: [new URL(sim.url).host] });
    sim.injectVersionFault({ version: '1.0.0', regions: ['r2'], errorRate: 0.2 });
    sim.injectVersionFault({ version: '1.0.0', regions: ['r3'], latencyFactor: 4 });
    // enough window for a rate in every region, and the fault visible in r2
    await prom.waitFor(
      `count(sum by (region) (rate(sim_http_requests_total{code="500", region="r2"}[10s])) > 0.5) + count(sum by (region) (rate(sim_http_requests_total[10s])) > 1)`,
      (s) => (s[0]?.value ?? 0) >= REGIONS.length + 1,
      60_000,
    );
    // a few more scrapes, so every rate at `at` has samples to work with
    await new Promise((r) => setTimeout(r, 4000));
    at = Date.now() - 500;
  }, 120_000);

  afterAll(async () => {
    await prom?.close();
    await sim?.close();
  });

  async function both(spec: GateSpec, template = spec.query) {
    const alone = new AtTime(prom.url, () => at);
    const perRegion = new Map<string, ReturnType<typeof judgeGate>>();
    for (const r of ASKED) perRegion.set(r, judgeGate(spec, { candidate: await alone.query(renderQuery(template, vars(r))) }));
    const shared = new AtTime(prom.url, () => at);
    const round = new GateQueryRound(sources(shared, true));
    const answers = await Promise.all(
      ASKED.map((r) => round.query(r, { text: template, vars: vars(r) }, renderQuery(template, vars(r)), { timeoutMs: 5000 })),
    );
    const batched = new Map(ASKED.map((r, i) => [r, judgeGate(spec, { candidate: answers[i]! })]));
    return { perRegion, batched, sent: shared.sent };
  }

  it('error rate (sum / sum): one query, and each region judged as its own query judges it', async () => {
    const { perRegion, batched, sent } = await both(gate(ERROR_RATE_QUERY));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('region=~"r1|r2|r3|r4|r5"');
    expect(sent[0]).toContain('sum by (region)(');
    for (const r of ASKED) expect(batched.get(r), r).toEqual(perRegion.get(r));
    expect(batched.get('r2')!.verdict).toBe('fail');
    expect(batched.get('r1')!.verdict).toBe('pass');
    expect(batched.get('r5')).toMatchObject({ verdict: 'inconclusive', reason: 'empty result' });
  });

  it('every series judged: per-code rates without aggregation keep their labels', async () => {
    const q = 'rate(sim_http_requests_total{region="{{region}}", deployment="{{service}}", code="500"}[{{window}}])';
    const { perRegion, batched, sent } = await both(gate(q, { condition: { kind: 'threshold', op: '<', value: 0.5 } }));
    expect(sent).toHaveLength(1);
    for (const r of ASKED) expect(batched.get(r), r).toEqual(perRegion.get(r));
    expect(batched.get('r2')!.verdict).toBe('fail');
  });

  it('a p90 by histogram_quantile over sum by (le), and a request count with a reducer', async () => {
    const p90 = await both(gate(P90_BASELINE_QUERY, { condition: { kind: 'threshold', op: '<', value: 0.2 } }));
    expect(p90.sent).toHaveLength(1);
    for (const r of ASKED) expect(p90.batched.get(r), r).toEqual(p90.perRegion.get(r));
    expect(p90.batched.get('r3')!.verdict).toBe('fail');
    const count = await both(gate(REQUESTS_QUERY, { condition: { kind: 'threshold', op: '>', value: 5 }, series: 'sum' }));
    expect(count.sent).toHaveLength(1);
    for (const r of ASKED) expect(count.batched.get(r), r).toEqual(count.perRegion.get(r));
  });

  it('a template that does not qualify runs one query per region, with the same verdicts', async () => {
    const q =
      'sum(rate(sim_http_requests_total{region="{{region}}", code="500"}[{{window}}])) / sum(rate(sim_http_requests_total[{{window}}]))';
    const { perRegion, batched, sent } = await both(gate(q));
    expect(sent).toHaveLength(ASKED.length);
    for (const r of ASKED) expect(batched.get(r), r).toEqual(perRegion.get(r));
  });

  it('regions whose sources cannot say they share a Prometheus are queried one by one', async () => {
    const shared = new AtTime(prom.url, () => at);
    const round = new GateQueryRound(sources(shared, false));
    await Promise.all(
      REGIONS.map((r) =>
        round.query(r, { text: ERROR_RATE_QUERY, vars: vars(r) }, renderQuery(ERROR_RATE_QUERY, vars(r)), { timeoutMs: 5000 }),
      ),
    );
    expect(shared.sent).toHaveLength(REGIONS.length);
  });

  it('through the real HTTP client: one request for four regions', async () => {
    const http = createMetricsSource({ type: 'prometheus', url: prom.url });
    let requests = 0;
    const counting: MetricsSource = { query: (q, o) => (requests++, http.query(q, o)) };
    const round = new GateQueryRound(sources(counting, true));
    const answers = await Promise.all(
      REGIONS.map((r) =>
        round.query(r, { text: ERROR_RATE_QUERY, vars: vars(r) }, renderQuery(ERROR_RATE_QUERY, vars(r)), { timeoutMs: 5000 }),
      ),
    );
    expect(requests).toBe(1);
    expect(answers.map((a) => judgeGate(gate(ERROR_RATE_QUERY), { candidate: a }).verdict)).toEqual(['pass', 'fail', 'pass', 'pass']);
  });
});
