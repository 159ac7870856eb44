/** tideline.yaml `preflight`, and checks across files: what a plan's stages need from their regions. */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#config';
import { configError, fixture, FIXTURES, load, problems, REGIONS, removeFixtures } from '../fixtures/config/harness.js';

afterAll(removeFixtures);

const DEFAULT_PREFLIGHT = { alertQuery: 'ALERTS{alertstate="firing", region="{{region}}"}', recheckMs: 5_000 };
const preflight = (yaml: string) => load({ 'regions.yaml': REGIONS, 'tideline.yaml': yaml }).preflight;
const preflightProblems = (yaml: string) => problems({ 'regions.yaml': REGIONS, 'tideline.yaml': yaml });

describe('tideline.yaml: preflight', () => {
  it('reads a custom alert query and recheck interval', () => {
    const config = loadConfig(`${FIXTURES}/ops`, { PROM_TOKEN: 'p', WEBHOOK_SECRET: 'w', SIM_TOKEN: 's' });
    expect(config.preflight).toEqual({
      alertQuery: 'ALERTS{alertstate="firing", region="{{ region }}", severity="page"}',
      recheckMs: 20_000,
    });
    expect(Object.isFrozen(config.preflight)).toBe(true);
  });

  it('uses the defaults without tideline.yaml, or without a preflight key', () => {
    expect(load({ 'regions.yaml': REGIONS }).preflight).toEqual(DEFAULT_PREFLIGHT);
    expect(preflight('engine: { workerConcurrency: 2 }\n')).toEqual(DEFAULT_PREFLIGHT);
    expect(preflight('preflight: {}\n')).toEqual(DEFAULT_PREFLIGHT);
  });

  it('disables the alert check with alertQuery: false', () => {
    expect(preflight('preflight:\n  alertQuery: false\n')).toEqual({ alertQuery: null, recheckMs: 5_000 });
    expect(preflight('preflight: { alertQuery: false, recheckInterval: 1m }\n')).toEqual({ alertQuery: null, recheckMs: 60_000 });
  });

  it('refuses an alert query with an unknown variable or a malformed placeholder', () => {
    expect(preflightProblems('preflight:\n  alertQuery: \'ALERTS{region="{{regoin}}"}\'\n')).toEqual([
      '<dir>/tideline.yaml: preflight.alertQuery: unknown variable {{regoin}} (known: region, service, namespace, version, previousVersion, window)',
    ]);
    expect(preflightProblems('preflight:\n  alertQuery: \'ALERTS{region="{{region"}\'\n')).toEqual([
      '<dir>/tideline.yaml: preflight.alertQuery: malformed placeholder near "{{region"}" (write {{name}})',
    ]);
    expect(preflightProblems('preflight:\n  alertQuery: ""\n')).toEqual(['<dir>/tideline.yaml: preflight.alertQuery: must not be empty']);
  });

  it('refuses alertQuery: true and numbers', () => {
    // Only `false` turns the check off; the message itself comes from the union in schema.ts.
    for (const value of ['true', '5']) {
      expect(preflightProblems(`preflight: { alertQuery: ${value} }\n`)).toEqual([
        expect.stringMatching(/^<dir>\/tideline\.yaml: preflight\.alertQuery: /),
      ]);
    }
  });

  it.each([['0s'], ['soon'], ['5'], [5]])('refuses recheckInterval %j', (value) => {
    expect(preflightProblems(`preflight: { recheckInterval: ${JSON.stringify(value)} }\n`)).toEqual([
      '<dir>/tideline.yaml: preflight.recheckInterval: must be a positive duration like 30s',
    ]);
  });

  it('reports unknown keys with hints', () => {
    expect(preflightProblems('prefligt: {}\npreflight: { alertquery: false }\n')).toEqual([
      '<dir>/tideline.yaml: prefligt: unknown key "prefligt" (did you mean "preflight"?)',
      '<dir>/tideline.yaml: preflight.alertquery: unknown key "alertquery" (did you mean "alertQuery"?)',
    ]);
  });
});

describe('cross-file checks: plans against regions', () => {
  const GATE = JSON.stringify({ name: 'errors', query: 'sum(errors{region="{{region}}"})', condition: '< 1' });
  const regions = (defaults: string) => `${defaults}regions:
  - { name: canary-1, kubernetes: { context: c } }
  - { name: eu-west, kubernetes: { context: eu }, prometheus: { url: "http://prom-eu:9090" } }
  - { name: us-east, kubernetes: { context: us }, traffic: { provider: none } }
  - { name: ap-south, kubernetes: { context: ap }, traffic: { provider: none } }
  - { name: eu-central, kubernetes: { context: euc } }
`;
  const WITH_TRAFFIC = regions(
    'defaults:\n  traffic: { provider: simulator, url: "http://sim:7070" }\n  prometheus: { url: "http://prom:9090" }\n',
  );
  const NO_PROMETHEUS = regions('');

  it('accepts drain and gates where every region of the stage has a provider and a Prometheus', () => {
    const plan = `defaults: { onFailure: drain, gates: [${GATE}] }\ncanary: { region: canary-1 }\nwaves:\n  - regions: [eu-west]\n`;
    const config = load({ 'regions.yaml': WITH_TRAFFIC, 'plans/checkout.yaml': plan });
    expect(config.plans.get('checkout')?.waves[0]).toMatchObject({
      onFailure: 'drain',
      gates: [expect.objectContaining({ name: 'errors' })],
    });
  });

  it('refuses drain in a stage with regions lacking a traffic provider, naming only those regions', () => {
    const plan = `defaults: { onFailure: drain }
canary: { region: canary-1 }
waves:
  - regions: [eu-west, us-east, ap-south]
`;
    expect(problems({ 'regions.yaml': WITH_TRAFFIC, 'plans/checkout.yaml': plan })).toEqual([
      '<dir>/plans/checkout.yaml: waves[0].onFailure: drain needs a traffic provider, and us-east, ap-south has none (set traffic in regions.yaml), or use rollback, rollback-region or pause',
    ]);
    const pause = 'defaults: { onFailure: drain }\ncanary: { region: canary-1 }\nwaves:\n  - regions: [us-east]\n    onFailure: pause\n';
    expect(load({ 'regions.yaml': WITH_TRAFFIC, 'plans/checkout.yaml': pause }).plans.get('checkout')?.waves[0]?.onFailure).toBe('pause');
  });

  it('refuses gates in a stage whose regions have no Prometheus, naming them', () => {
    const plan = `defaults:
  gates: [${GATE}]
canary: { region: us-east }
waves:
  - regions: [eu-west]
  - regions: [eu-central]
    gates: []
  - regions: [ap-south, canary-1]
    gates: [${GATE}]
`;
    const dir = fixture({ 'regions.yaml': NO_PROMETHEUS, 'plans/checkout.yaml': plan });
    const error = configError(dir);
    const hint = '(set prometheus in regions.yaml, or under its defaults)';
    // Cross-file issues point at the offending line too (the stage, when its gates are inherited).
    expect(error.issues).toEqual([
      // Inherited from defaults.gates: reported at the stage.
      {
        file: `${dir}/plans/checkout.yaml`,
        path: 'canary.gates',
        message: `gates need a Prometheus, and us-east has none ${hint}`,
        line: 3,
        column: 1,
      },
      {
        file: `${dir}/plans/checkout.yaml`,
        path: 'waves[2].gates',
        message: `gates need a Prometheus, and ap-south, canary-1 has none ${hint}`,
        line: 9,
        column: 5,
      },
    ]);
  });

  it('reports both needs of one stage', () => {
    const plan = `canary: { region: ap-south, onFailure: drain, gates: [${GATE}] }\n`;
    expect(problems({ 'regions.yaml': NO_PROMETHEUS, 'plans/checkout.yaml': plan })).toEqual([
      '<dir>/plans/checkout.yaml: canary.gates: gates need a Prometheus, and ap-south has none (set prometheus in regions.yaml, or under its defaults)',
      '<dir>/plans/checkout.yaml: canary.onFailure: drain needs a traffic provider, and ap-south has none (set traffic in regions.yaml), or use rollback, rollback-region or pause',
    ]);
  });

  it('skips the checks while the plan has errors of its own', () => {
    const plan = `canary: { region: us-east, onFailure: drain, bake: soon, gates: [${GATE}] }\n`;
    expect(problems({ 'regions.yaml': NO_PROMETHEUS, 'plans/checkout.yaml': plan })).toEqual([
      '<dir>/plans/checkout.yaml: canary.bake: must be a duration like 30s',
    ]);
  });
});
