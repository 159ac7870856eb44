/** Gates in plan files: resolution to the domain's GateSpec, and every way a gate can be wrong. */
import { afterAll, describe, expect, it } from 'vitest';
import type { GateSpec } from '#domain';
import { loadConfig } from '#config';
import { configError, fixture, FIXTURES, load, problems, REGIONS, removeFixtures } from '../fixtures/config/harness.js';

afterAll(removeFixtures);

const OPS_ENV = { PROM_TOKEN: 'prom-t0ken', WEBHOOK_SECRET: 'hmac-s3cret', SIM_TOKEN: 'sim-t0ken' };
const PROM_REGIONS = `defaults:\n  prometheus: { url: http://prom:9090 }\n${REGIONS}`;
const OK_GATE = { name: 'error-rate', query: 'sum(rate(errors{region="{{region}}"}[{{window}}]))', condition: '< 0.01' };
const BASELINE_QUERY = 'sum by (region) (rate(errors{region=~"{{region}}"}[{{window}}]))';
const VARIABLES = 'known: region, service, namespace, version, previousVersion, window';

/** checkout.yaml with `gates` on its first wave (eu-west); each gate written as a JSON flow mapping. */
function gatesPlan(...gates: object[]): Record<string, string> {
  const items = gates.map((gate) => `      - ${JSON.stringify(gate)}\n`).join('');
  return {
    'regions.yaml': PROM_REGIONS,
    'plans/checkout.yaml': `canary: { region: us-east }\nwaves:\n  - regions: [eu-west]\n    gates:\n${items}`,
  };
}
const loadGates = (...gates: object[]): GateSpec[] => load(gatesPlan(...gates)).plans.get('checkout')?.waves[0]?.gates ?? [];
const gateProblems = (...gates: object[]): string[] => problems(gatesPlan(...gates));
const AT = '<dir>/plans/checkout.yaml: waves[0].gates';

describe('gates: valid configurations', () => {
  const plan = () => {
    const config = loadConfig(`${FIXTURES}/ops`, OPS_ENV);
    const checkout = config.plans.get('checkout');
    if (checkout === undefined) throw new Error('plan checkout missing');
    return checkout;
  };

  it('resolves gates to GateSpecs with every default filled in', () => {
    const [errorRate, baseline] = plan().canary.gates;
    expect(errorRate).toEqual({
      name: 'error-rate',
      query:
        'sum(rate(http_requests_total{region="{{region}}", service="{{service}}", code=~"5.."}[{{window}}]))' +
        ' / sum(rate(http_requests_total{region="{{region}}", service="{{service}}"}[{{window}}]))',
      condition: { kind: 'threshold', op: '<', value: 0.01 },
      intervalMs: 30_000,
      windowMs: 60_000,
      failureLimit: 1,
      errorLimit: 3,
      inconclusive: 'pause',
      series: 'all',
      queryTimeoutMs: 10_000,
    } satisfies GateSpec);
    expect(errorRate).not.toHaveProperty('minEvidence');
    expect(baseline).toEqual({
      name: 'p99-vs-baseline',
      query:
        'histogram_quantile(0.99, sum by (le, region) (rate(http_request_duration_seconds_bucket{region=~"{{ region }}", service="{{service}}"}[{{window}}])))',
      condition: { kind: 'baseline', maxRatio: 1.5, maxDifference: 0.05 },
      intervalMs: 15_000,
      windowMs: 300_000,
      failureLimit: 3,
      errorLimit: 5,
      inconclusive: 'pass',
      series: 'max',
      queryTimeoutMs: 3_000,
      minEvidence: { query: 'sum(increase(http_requests_total{region="{{region}}", version="{{version}}"}[{{window}}]))', min: 100 },
    } satisfies GateSpec);
  });

  it("lets a stage's own gates replace defaults.gates, and an empty list remove them", () => {
    const { canary, waves } = plan();
    expect(canary.gates.map((g) => g.name)).toEqual(['error-rate', 'p99-vs-baseline']);
    expect(waves[0]?.gates).toEqual([
      expect.objectContaining({ name: 'cpu', condition: { kind: 'threshold', op: '<=', value: 5 }, series: 'avg', intervalMs: 30_000 }),
    ]);
    expect(waves[1]?.gates).toEqual([]);
  });

  it('gives a stage no gates when neither it nor the defaults have any', () => {
    const config = load({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': 'canary: { region: us-east }\n' });
    expect(config.plans.get('checkout')?.canary.gates).toEqual([]);
  });

  it.each([
    ['< 0.01', '<', 0.01],
    ['<= 5', '<=', 5],
    ['> 1e-3', '>', 0.001],
    ['>= -2', '>=', -2],
    ['<0.5', '<', 0.5],
    ['  >  .25  ', '>', 0.25],
    ['< 1E3', '<', 1000],
    ['<= 7.', '<=', 7],
  ] as const)('parses the condition %j', (condition, op, value) => {
    expect(loadGates({ ...OK_GATE, condition })[0]?.condition).toEqual({ kind: 'threshold', op, value });
  });

  it('accepts a baseline with maxRatio, maxDifference or both', () => {
    const gates = loadGates(
      { name: 'ratio', query: BASELINE_QUERY, baseline: { maxRatio: 2 } },
      { name: 'difference', query: BASELINE_QUERY, baseline: { maxDifference: 0 } },
      { name: 'both', query: 'rate(x{region =~ "{{ region }}"}[1m])', baseline: { maxRatio: 1.2, maxDifference: 0.5 } },
    );
    expect(gates.map((g) => g.condition)).toEqual([
      { kind: 'baseline', maxRatio: 2 },
      { kind: 'baseline', maxDifference: 0 },
      { kind: 'baseline', maxRatio: 1.2, maxDifference: 0.5 },
    ]);
  });

  it('accepts every template variable, with or without spaces inside the braces', () => {
    const query = 'x{r="{{region}}",s="{{ service }}",n="{{namespace}}",v="{{version}}",p="{{previousVersion}}"}[{{window}}]';
    expect(loadGates({ ...OK_GATE, query })[0]?.query).toBe(query);
  });
});

describe('gates: errors', () => {
  it('names the file and the exact path of a bad duration', () => {
    expect(gateProblems(OK_GATE, { ...OK_GATE, name: 'latency', interval: '0s' })).toEqual([
      `${AT}[1].interval: must be a positive duration like 30s`,
    ]);
    expect(gateProblems({ ...OK_GATE, interval: '30', window: '1 minute', timeout: -1 })).toEqual([
      `${AT}[0].interval: must be a positive duration like 30s`,
      `${AT}[0].window: must be a positive duration like 30s`,
      `${AT}[0].timeout: must be a positive duration like 30s`,
    ]);
  });

  it('reports the line of the offending gate', () => {
    const dir = fixture(gatesPlan(OK_GATE, { ...OK_GATE, name: 'latency', interval: '0s' }));
    expect(configError(dir).issues).toEqual([
      {
        file: `${dir}/plans/checkout.yaml`,
        path: 'waves[0].gates[1].interval',
        message: 'must be a positive duration like 30s',
        line: 6,
        column: 111,
      },
    ]);
  });

  it('wants positive integers for failureLimit and errorLimit', () => {
    expect(gateProblems({ ...OK_GATE, failureLimit: 0, errorLimit: 1.5 })).toEqual([
      `${AT}[0].failureLimit: must be a positive integer`,
      `${AT}[0].errorLimit: must be a positive integer`,
    ]);
  });

  it('refuses unknown template variables and lists the known ones', () => {
    expect(gateProblems({ ...OK_GATE, query: 'up{region="{{regoin}}"}' })).toEqual([
      `${AT}[0].query: unknown variable {{regoin}} (${VARIABLES})`,
    ]);
    expect(gateProblems({ ...OK_GATE, minEvidence: { query: 'sum(x{v="{{ver}}"})', min: 1 } })).toEqual([
      `${AT}[0].minEvidence.query: unknown variable {{ver}} (${VARIABLES})`,
    ]);
  });

  it('refuses malformed placeholders that could never be rendered', () => {
    expect(gateProblems({ ...OK_GATE, query: 'up{region="{{region}"}' })).toEqual([
      `${AT}[0].query: malformed placeholder near "{{region}"}" (write {{name}})`,
    ]);
    expect(gateProblems({ ...OK_GATE, query: 'up{region="{{ re gion }}"}' })).toEqual([
      `${AT}[0].query: malformed placeholder near "{{ re gion }}"}" (write {{name}})`,
    ]);
  });

  it('needs exactly one of condition and baseline', () => {
    expect(gateProblems({ ...OK_GATE, condition: undefined })).toEqual([
      `${AT}[0].condition: set condition (like "< 0.01") or baseline ({ maxRatio: 1.5 })`,
    ]);
    expect(gateProblems({ ...OK_GATE, query: BASELINE_QUERY, baseline: { maxRatio: 1.5 } })).toEqual([
      `${AT}[0].baseline: set either condition or baseline, not both`,
    ]);
  });

  it.each([['0.01'], ['== 1'], ['< abc'], ['< 1 2'], ['<'], ['< NaN'], ['≤ 5'], [0.01]])('refuses the condition %j', (condition) => {
    expect(gateProblems({ ...OK_GATE, condition })).toEqual([
      `${AT}[0].condition: must be a comparison like "< 0.01" (one of <, <=, >, >= and a number)`,
    ]);
  });

  it('checks the baseline limits', () => {
    const gate = (baseline: object) => ({ name: 'b', query: BASELINE_QUERY, baseline });
    expect(gateProblems(gate({}))).toEqual([`${AT}[0].baseline: set maxRatio, maxDifference or both`]);
    expect(gateProblems(gate({ maxRatio: 0, maxDifference: 'a lot' }))).toEqual([
      `${AT}[0].baseline.maxRatio: must be a positive number like 1.5`,
      `${AT}[0].baseline.maxDifference: must be a number`,
    ]);
    expect(gateProblems(gate({ maxRatio: -1.5 }))).toEqual([`${AT}[0].baseline.maxRatio: must be a positive number like 1.5`]);
  });

  it('wants a baseline query to select regions with region=~"{{region}}"', () => {
    const message = 'a baseline gate must select regions with region=~"{{region}}" so the same query can cover the baseline regions';
    for (const query of ['sum(rate(errors{region="{{region}}"}[5m]))', 'sum(rate(errors[5m]))', "sum(errors{region=~'{{region}}'})"]) {
      expect(gateProblems({ name: 'b', query, baseline: { maxRatio: 1.5 } })).toEqual([`${AT}[0].query: ${message}`]);
    }
  });

  it('refuses duplicate gate names within a list, and bad names', () => {
    expect(gateProblems(OK_GATE, { ...OK_GATE, condition: '< 1' }, { ...OK_GATE, name: 'other' }, OK_GATE)).toEqual([
      `${AT}[1].name: duplicate gate name "error-rate" (also at [0])`,
      `${AT}[3].name: duplicate gate name "error-rate" (also at [0])`,
    ]);
    expect(gateProblems({ ...OK_GATE, name: 'Error Rate' })).toEqual([
      `${AT}[0].name: must be a lowercase name of letters, digits, "-" and "_", e.g. "error-rate"`,
    ]);
  });

  it('allows the same gate name in defaults and in a stage', () => {
    const plan = `defaults:\n  gates: [${JSON.stringify(OK_GATE)}]\ncanary: { region: us-east }\nwaves:\n  - regions: [eu-west]\n    gates: [${JSON.stringify(OK_GATE)}]\n`;
    expect(load({ 'regions.yaml': PROM_REGIONS, 'plans/checkout.yaml': plan }).plans.get('checkout')?.waves[0]?.gates).toHaveLength(1);
  });

  it('reports unknown keys with did-you-mean hints, at every level of a gate', () => {
    expect(
      gateProblems(
        { ...OK_GATE, condition: undefined, condtion: '< 1', failurelimit: 2, colour: 'red' },
        { name: 'b', query: BASELINE_QUERY, baseline: { maxratio: 2 } },
        { ...OK_GATE, name: 'c', minEvidence: { query: 'sum(x)', mn: 5 } },
      ),
    ).toEqual([
      `${AT}[0].condtion: unknown key "condtion" (did you mean "condition"?)`,
      `${AT}[0].failurelimit: unknown key "failurelimit" (did you mean "failureLimit"?)`,
      `${AT}[0].colour: unknown key "colour"`,
      // A misspelt key does not count as the key it was meant to be.
      `${AT}[0].condition: set condition (like "< 0.01") or baseline ({ maxRatio: 1.5 })`,
      `${AT}[1].baseline.maxratio: unknown key "maxratio" (did you mean "maxRatio"?)`,
      `${AT}[1].baseline: set maxRatio, maxDifference or both`,
      `${AT}[2].minEvidence.min: is required`,
      `${AT}[2].minEvidence.mn: unknown key "mn" (did you mean "min"?)`,
    ]);
  });

  it('checks the shape of minEvidence', () => {
    expect(gateProblems({ ...OK_GATE, minEvidence: 100 })).toEqual([`${AT}[0].minEvidence: must be a mapping (key: value)`]);
    expect(gateProblems({ ...OK_GATE, minEvidence: { min: 10 } })).toEqual([`${AT}[0].minEvidence.query: is required`]);
    expect(gateProblems({ ...OK_GATE, minEvidence: { query: 'sum(x)', min: -1 } })).toEqual([
      `${AT}[0].minEvidence.min: must be a number ≥ 0`,
    ]);
    expect(gateProblems({ ...OK_GATE, minEvidence: { query: '', min: '20' } })).toEqual([
      `${AT}[0].minEvidence.query: must not be empty`,
      `${AT}[0].minEvidence.min: must be a number`,
    ]);
    expect(loadGates({ ...OK_GATE, minEvidence: { query: 'sum(x)', min: 0 } })[0]?.minEvidence).toEqual({ query: 'sum(x)', min: 0 });
  });

  it('lists the allowed values of series and inconclusive', () => {
    expect(gateProblems({ ...OK_GATE, series: 'median', inconclusive: 'skip' })).toEqual([
      `${AT}[0].inconclusive: must be one of pause, pass, fail`,
      `${AT}[0].series: must be one of all, max, min, sum, avg`,
    ]);
  });

  it('reports missing fields and a gates value that is not a list', () => {
    expect(gateProblems({ name: 'x' })).toEqual([`${AT}[0].query: is required`]);
    const plan = `defaults:\n  gates: { name: x }\ncanary:\n  region: us-east\n  gates: [${JSON.stringify({ ...OK_GATE, interval: '5' })}]\n`;
    expect(problems({ 'regions.yaml': PROM_REGIONS, 'plans/checkout.yaml': plan })).toEqual([
      '<dir>/plans/checkout.yaml: defaults.gates: must be a list of gates',
      '<dir>/plans/checkout.yaml: canary.gates[0].interval: must be a positive duration like 30s',
    ]);
  });
});
