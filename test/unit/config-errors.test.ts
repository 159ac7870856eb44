/** loadConfig errors in values: what is wrong, in which file, at which path — secrets never shown. */
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { configError, fixture, PLAN, problems, REGIONS, removeFixtures, SERVICE } from '../fixtures/config/harness.js';

afterAll(removeFixtures);

describe('loadConfig: errors', () => {
  it('reports a bad duration with its path in the wave', () => {
    const plan = `canary: { region: us-east }
waves:
  - regions: [eu-west]
    bake: 5 minutes
`;
    expect(problems({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': plan })).toEqual([
      '<dir>/plans/checkout.yaml: waves[0].bake: must be a duration like 30s',
    ]);
  });

  it('reports an unknown region with the known ones', () => {
    const plan = 'canary: { region: us-east }\nwaves:\n  - regions: [eu-west]\n  - regions: [eu-wst]\n';
    expect(problems({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': plan })).toEqual([
      '<dir>/plans/checkout.yaml: waves[1].regions[0]: unknown region "eu-wst" (known: eu-west, us-east)',
    ]);
  });

  it('reports a region used twice in a plan', () => {
    const plan = 'canary: { region: us-east }\nwaves:\n  - regions: [eu-west, us-east]\n';
    expect(problems({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': plan })).toEqual([
      '<dir>/plans/checkout.yaml: waves[0].regions[1]: region "us-east" is already used at canary.region (a region appears at most once in a plan)',
    ]);
  });

  it('refuses the drain policy in a stage whose regions have no traffic provider', () => {
    const plan = 'defaults: { onFailure: drain }\ncanary: { region: us-east }\nwaves:\n  - regions: [eu-west]\n    onFailure: drain\n';
    expect(problems({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': plan })).toEqual([
      '<dir>/plans/checkout.yaml: canary.onFailure: drain needs a traffic provider, and us-east has none (set traffic in regions.yaml), or use rollback, rollback-region or pause',
      '<dir>/plans/checkout.yaml: waves[0].onFailure: drain needs a traffic provider, and eu-west has none (set traffic in regions.yaml), or use rollback, rollback-region or pause',
    ]);
  });

  it('reports duplicate wave names, counting default names', () => {
    const plan = 'canary: { region: us-east }\nwaves:\n  - name: wave-2\n    regions: [eu-west]\n  - regions: [eu-central]\n';
    const regions = `${REGIONS}  - name: eu-central\n    kubernetes: { context: eu }\n`;
    expect(problems({ 'regions.yaml': regions, 'plans/checkout.yaml': plan })).toEqual([
      '<dir>/plans/checkout.yaml: waves[1].name: duplicate wave name "wave-2" (also at waves[0].name; unnamed waves are called wave-N)',
    ]);
  });

  it('reports unknown keys, with a hint for likely typos', () => {
    const plan = 'canary: { region: us-east }\nwaves:\n  - regions: [eu-west]\n    bakee: 5s\n    colour: blue\n';
    expect(problems({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': plan, 'tideline.yaml': 'engin: {}\n' })).toEqual([
      '<dir>/tideline.yaml: engin: unknown key "engin" (did you mean "engine"?)',
      '<dir>/plans/checkout.yaml: waves[0].bakee: unknown key "bakee" (did you mean "bake"?)',
      '<dir>/plans/checkout.yaml: waves[0].colour: unknown key "colour"',
    ]);
  });

  it('reports a bad time zone', () => {
    const regions = 'regions:\n  - name: eu-west\n    timeZone: Europe/Pariss\n    kubernetes: { context: eu }\n';
    expect(problems({ 'regions.yaml': regions })).toEqual([
      '<dir>/regions.yaml: regions[0].timeZone: unknown time zone "Europe/Pariss" (expected an IANA name like Europe/Paris)',
    ]);
  });

  it('says what was expected for wrong types, enums and missing fields', () => {
    const regions = `regions:
  - name: 42
    traits: { tier: medium, tags: gdpr }
    kubernetes: { context: eu }
  - name: Us_East
    kubernetes: { context: us, server: https://x }
  - name: ap-south
  - name: eu-central
    kubernetes: { contxt: eu }
  - name: eu-north
    kubernetes: { server: https://x, skipTLSVerify: "yes" }
`;
    expect(problems({ 'regions.yaml': regions })).toEqual([
      '<dir>/regions.yaml: regions[0].name: must be a string',
      '<dir>/regions.yaml: regions[0].traits.tier: must be one of low, high',
      '<dir>/regions.yaml: regions[0].traits.tags: must be a list of tags',
      '<dir>/regions.yaml: regions[1].name: must be a lowercase name of letters, digits and "-" (at most 63 characters), e.g. "eu-west"',
      '<dir>/regions.yaml: regions[1].kubernetes: set either context or server, not both',
      '<dir>/regions.yaml: regions[2].kubernetes: is required',
      '<dir>/regions.yaml: regions[3].kubernetes: must set either context (a kubeconfig context) or server (an API server URL)',
      '<dir>/regions.yaml: regions[3].kubernetes.contxt: unknown key "contxt" (did you mean "context"?)',
      '<dir>/regions.yaml: regions[4].kubernetes.skipTLSVerify: must be true or false',
    ]);
  });

  it('checks names against file names, workloads and regionWorkloads', () => {
    const service = `name: chekout
onConcurrent: later
workloads:
  - deployment: checkout
  - namespace: default
    deployment: checkout
regionWorkloads:
  mars: [{ deployment: checkout }]
  eu-west: []
`;
    expect(problems({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': PLAN, 'services/checkout.yaml': service })).toEqual([
      '<dir>/services/checkout.yaml: name: must equal the file name "checkout"',
      '<dir>/services/checkout.yaml: onConcurrent: must be one of queue, supersede',
      '<dir>/services/checkout.yaml: workloads[1]: duplicate workload default/checkout/checkout (also at workloads[0])',
      '<dir>/services/checkout.yaml: regionWorkloads.mars: unknown region "mars" (known: eu-west, us-east)',
      '<dir>/services/checkout.yaml: regionWorkloads.eu-west: must list at least one workload',
    ]);
    expect(problems({ 'regions.yaml': REGIONS, 'services/checkout.yaml': 'workloads: []\n', 'plans/checkout.yaml': PLAN })).toEqual([
      '<dir>/services/checkout.yaml: workloads: must list at least one workload',
    ]);
    expect(problems({ 'regions.yaml': REGIONS, 'services/checkout.yaml': 'plan: checkout\n', 'plans/checkout.yaml': PLAN })).toEqual([
      '<dir>/services/checkout.yaml: workloads: is required',
    ]);
  });

  it('reports an unknown plan for a service', () => {
    expect(
      problems({
        'regions.yaml': REGIONS,
        'plans/checkout.yaml': PLAN,
        'services/checkout.yaml': `plan: chekout\n${SERVICE}`,
        'services/cart.yaml': SERVICE,
      }),
    ).toEqual([
      '<dir>/services/cart.yaml: plan: no plan named "cart" (plan defaults to the service name; known: checkout)',
      '<dir>/services/checkout.yaml: plan: unknown plan "chekout" (known: checkout)',
    ]);
  });
});

describe('loadConfig: errors with secrets', () => {
  it('refuses tokens written in YAML and never echoes them', () => {
    const regions = `regions:
  - name: eu-west
    kubernetes:
      server: https://k8s.example.com
      token: sup3r-s3cret-in-yaml
`;
    const dir = fixture({ 'regions.yaml': regions });
    const error = configError(dir);
    expect(error.message).toBe(
      `${dir}/regions.yaml: regions[0].kubernetes.token: unknown key "token" (put secrets in tokenEnv or tokenFile)`,
    );
    expect(JSON.stringify(error.issues)).not.toContain('sup3r');
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).not.toContain('sup3r');
  });

  it('never puts secrets from the environment or files in error messages', () => {
    const regions = `regions:
  - name: eu-west
    kubernetes: { server: "not a url", tokenEnv: EU_TOKEN }
  - name: us-east
    timeZone: Mars/Olympus
    kubernetes: { server: "https://x", tokenFile: token.txt, caFile: missing-ca.pem }
`;
    const dir = fixture({ 'regions.yaml': regions, 'token.txt': 'f1le-s3cret\n' });
    const error = configError(dir, { EU_TOKEN: 'env-s3cret' });
    expect(error.message.split('\n')).toEqual([
      `${dir}/regions.yaml: regions[0].kubernetes.server: must be an http(s) URL like https://10.0.0.1:6443`,
      `${dir}/regions.yaml: regions[1].timeZone: unknown time zone "Mars/Olympus" (expected an IANA name like Europe/Paris)`,
      `${dir}/regions.yaml: regions[1].kubernetes.caFile: cannot read CA file "missing-ca.pem": no such file`,
    ]);
    const dump = [error.message, JSON.stringify(error.issues), inspect(error, { depth: Number.POSITIVE_INFINITY })].join('\n');
    expect(dump).not.toContain('s3cret');
  });

  it('reports unset token variables and unreadable token files', () => {
    const regions = `regions:
  - name: eu-west
    kubernetes: { server: https://a.example.com, tokenEnv: EU_TOKEN }
  - name: us-east
    kubernetes: { server: https://b.example.com, tokenFile: /nonexistent/token }
  - name: ap-south
    kubernetes: { server: https://c.example.com, tokenFile: empty.token }
  - name: eu-north
    kubernetes: { server: https://d.example.com, tokenFile: empty.token, tokenEnv: X }
`;
    expect(problems({ 'regions.yaml': regions, 'empty.token': '\n' })).toEqual([
      '<dir>/regions.yaml: regions[0].kubernetes.tokenEnv: environment variable EU_TOKEN is not set',
      '<dir>/regions.yaml: regions[1].kubernetes.tokenFile: cannot read token file "/nonexistent/token": no such file',
      '<dir>/regions.yaml: regions[2].kubernetes.tokenFile: token file "empty.token" is empty',
      '<dir>/regions.yaml: regions[3].kubernetes.tokenFile: set either tokenEnv or tokenFile, not both',
    ]);
  });
});
