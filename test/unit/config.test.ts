import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, Secret, workloadsFor } from '../../libs/config/src/index.js';

const FIXTURES = 'test/fixtures/config';
const tmpDirs: string[] = [];

afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (relative path → content) into a fresh temporary config directory. */
function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-config-'));
  tmpDirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const REGIONS = `regions:
  - name: eu-west
    kubernetes: { context: eu }
  - name: us-east
    kubernetes: { context: us }
`;
const PLAN = 'canary: { region: us-east }\nwaves:\n  - regions: [eu-west]\n';
const SERVICE = 'workloads:\n  - deployment: checkout\n';

function configError(dir: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    loadConfig(dir, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

/** The error message lines of loading `files`, with the temporary directory shown as `<dir>`. */
function problems(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): string[] {
  const dir = fixture(files);
  return configError(dir, env).message.split('\n').map((line) => line.replaceAll(dir, '<dir>'));
}

describe('loadConfig: valid configurations', () => {
  const env = { EU_WEST_TOKEN: 'env-t0ken-value', HOME: '/home/tester' };

  it('loads a full configuration with every default resolved', () => {
    const config = loadConfig(`${FIXTURES}/full`, env);
    const dir = resolve(FIXTURES, 'full');
    expect(config.dir).toBe(dir);
    expect(config.kubeconfigPath).toBe(join(dir, 'kube/config'));
    expect(config.engine).toEqual({
      pollIntervalMs: 1_000,
      defaultProgressDeadlineMs: 900_000,
      sweepIntervalMs: 30_000,
      workerConcurrency: 4,
    });

    expect(config.regions.map((r) => r.name)).toEqual(['canary-1', 'eu-west', 'us-east', 'ap-south']);
    expect(config.regionsByName.get('canary-1')).toEqual({
      name: 'canary-1',
      timeZone: 'UTC',
      traits: { tier: 'low', tags: [] },
      kubernetes: { kind: 'context', context: 'kind-canary' },
      prometheus: null,
      traffic: { provider: 'none', drainedFraction: 0.01, drainTimeoutMs: 600_000, timeoutMs: 5_000, windowMs: 15_000 },
      deploymentWindow: { allow: [], freezes: [] },
    });
    expect(config.preflight).toEqual({ alertQuery: 'ALERTS{alertstate="firing", region="{{region}}"}', recheckMs: 5_000 });
    const euWest = config.regionsByName.get('eu-west');
    expect(euWest?.traits).toEqual({ tier: 'high', tags: ['gdpr'] });
    expect(euWest?.timeZone).toBe('Europe/Dublin');
    expect(euWest?.kubernetes).toMatchObject({ kind: 'server', server: 'https://eu-west.k8s.example.com:6443', skipTLSVerify: false });
    const euWestK8s = euWest?.kubernetes;
    expect(euWestK8s?.kind === 'server' && euWestK8s.token?.reveal()).toBe('env-t0ken-value');
    const usEast = config.regionsByName.get('us-east')?.kubernetes;
    expect(usEast?.kind === 'server' && usEast.token).toBeInstanceOf(Secret);
    expect(usEast?.kind === 'server' && usEast.token?.reveal()).toBe('file-t0ken-value');
    expect(usEast).toMatchObject({ server: 'https://us-east.k8s.example.com', caFile: join(dir, 'secrets/ca.pem') });
    expect(config.regionsByName.get('ap-south')).toEqual({
      name: 'ap-south',
      timeZone: 'Asia/Kolkata',
      traits: { tier: 'low', tags: [] },
      kubernetes: { kind: 'server', server: 'http://127.0.0.1:7070/regions/ap-south', skipTLSVerify: true },
      prometheus: null,
      traffic: { provider: 'none', drainedFraction: 0.01, drainTimeoutMs: 600_000, timeoutMs: 5_000, windowMs: 15_000 },
      deploymentWindow: { allow: [], freezes: [] },
    });

    expect(config.plans.get('global')).toEqual({
      name: 'global',
      canary: { region: 'canary-1', bakeMs: 120_000, progressDeadlineMs: 900_000, maxParallel: 1, onFailure: 'rollback-region', approval: 'required', gates: [] },
      waves: [
        { name: 'wave-1', regions: ['eu-west'], bakeMs: 5_400_000, progressDeadlineMs: 900_000, maxParallel: 2, onFailure: 'rollback-region', approval: 'none', gates: [] },
        { name: 'rest', regions: ['us-east', 'ap-south'], bakeMs: 120_000, progressDeadlineMs: 300_000, maxParallel: 2, onFailure: 'rollback-region', approval: 'none', gates: [] },
      ],
    });
    expect(config.plans.get('minimal')).toEqual({
      name: 'minimal',
      canary: { region: 'eu-west', bakeMs: 600_000, progressDeadlineMs: 900_000, maxParallel: 1, onFailure: 'rollback', approval: 'none', gates: [] },
      waves: [],
    });

    const checkout = config.services.get('checkout');
    expect(checkout).toEqual({
      name: 'checkout',
      plan: 'global',
      onConcurrent: 'supersede',
      workloads: [
        { namespace: 'shop', deployment: 'checkout', container: 'checkout' },
        { namespace: 'shop', deployment: 'checkout-worker', container: 'worker' },
      ],
      regionWorkloads: { 'ap-south': [{ namespace: 'shop-ap', deployment: 'checkout', container: 'checkout' }] },
    });
    expect(config.services.get('minimal')).toEqual({
      name: 'minimal',
      plan: 'minimal',
      onConcurrent: 'queue',
      workloads: [{ namespace: 'default', deployment: 'minimal', container: 'minimal' }],
      regionWorkloads: {},
    });
  });

  it('picks per-region workloads with workloadsFor', () => {
    const checkout = loadConfig(`${FIXTURES}/full`, env).services.get('checkout');
    if (checkout === undefined) throw new Error('checkout missing');
    expect(workloadsFor(checkout, 'ap-south')).toEqual([{ namespace: 'shop-ap', deployment: 'checkout', container: 'checkout' }]);
    expect(workloadsFor(checkout, 'eu-west')).toBe(checkout.workloads);
    expect(workloadsFor(checkout, 'toString')).toBe(checkout.workloads);
  });

  it('returns a deeply frozen configuration', () => {
    const config = loadConfig(`${FIXTURES}/full`, env);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.engine)).toBe(true);
    expect(Object.isFrozen(config.regions)).toBe(true);
    expect(Object.isFrozen(config.regions[0]?.traits.tags)).toBe(true);
    expect(Object.isFrozen(config.plans.get('global')?.waves[0]?.regions)).toBe(true);
    expect(Object.isFrozen(config.services.get('checkout')?.regionWorkloads)).toBe(true);
    expect(() => (config.plans as Map<string, unknown>).set('x', {})).toThrow('read-only');
    expect(() => (config.services as Map<string, unknown>).delete('checkout')).toThrow('read-only');
    expect(() => (config.regionsByName as Map<string, unknown>).clear()).toThrow('read-only');
    expect(config.plans.size).toBe(2);
  });

  it('never exposes secret values in JSON or inspect output', () => {
    const config = loadConfig(`${FIXTURES}/full`, env);
    const everything = [
      JSON.stringify(config.regions),
      inspect(config, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      String(config.regions.map((r) => (r.kubernetes.kind === 'server' ? r.kubernetes.token : undefined))),
    ].join('\n');
    expect(everything).not.toContain('env-t0ken-value');
    expect(everything).not.toContain('file-t0ken-value');
    expect(everything).toContain('[redacted]');
  });

  it('loads the example config/ directory', () => {
    const config = loadConfig('config', { TIDELINE_ADMIN_TOKEN: 'example-admin-token-0123' });
    expect(config.engine.pollIntervalMs).toBe(500);
    expect(config.auth.tokens.map((t) => [t.name, t.scopes])).toEqual([['admin', ['admin']]]);
    expect(config.regions.map((r) => [r.name, r.traits.tier])).toEqual([
      ['us-west', 'low'],
      ['us-east', 'high'],
      ['eu-west', 'high'],
      ['eu-central', 'low'],
      ['ap-south', 'high'],
    ]);
    expect(config.regionsByName.get('ap-south')?.traits.tags).toEqual(['mobile-heavy', 'non-latin-input']);
    expect(config.regionsByName.get('us-west')?.kubernetes).toEqual({
      kind: 'server',
      server: 'http://127.0.0.1:7070/regions/us-west',
      skipTLSVerify: true,
    });
    expect(config.services.get('checkout')?.workloads).toEqual([{ namespace: 'shop', deployment: 'checkout', container: 'checkout' }]);
    const plan = config.plans.get('checkout');
    expect(plan?.canary).toMatchObject({ region: 'us-west', bakeMs: 5_000 });
    expect(plan?.waves.map((w) => [w.name, w.regions, w.maxParallel, w.bakeMs])).toEqual([
      ['wave-1', ['us-east'], 1, 5_000],
      ['wave-2', ['eu-west', 'eu-central', 'ap-south'], 3, 5_000],
    ]);
  });

  it('interpolates the simulator URL of the example config', () => {
    const config = loadConfig('config', { SIMULATOR_URL: 'http://sim:9000', TIDELINE_ADMIN_TOKEN: 'example-admin-token-0123' });
    expect(config.regionsByName.get('eu-central')?.kubernetes).toMatchObject({ server: 'http://sim:9000/regions/eu-central' });
  });

  it('allows zero services and no plans', () => {
    const config = loadConfig(fixture({ 'regions.yaml': REGIONS }), {});
    expect(config.services.size).toBe(0);
    expect(config.plans.size).toBe(0);
    expect(config.engine.workerConcurrency).toBe(8);
  });

  it('accepts empty tideline.yaml and .yml files', () => {
    const config = loadConfig(fixture({ 'tideline.yaml': '# nothing\n', 'regions.yml': REGIONS, 'plans/checkout.yml': PLAN }), {});
    expect(config.plans.get('checkout')?.waves[0]?.name).toBe('wave-1');
  });
});

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

  it('refuses tokens written in YAML and never echoes them', () => {
    const regions = `regions:
  - name: eu-west
    kubernetes:
      server: https://k8s.example.com
      token: sup3r-s3cret-in-yaml
`;
    const dir = fixture({ 'regions.yaml': regions });
    const error = configError(dir);
    expect(error.message).toBe(`${dir}/regions.yaml: regions[0].kubernetes.token: unknown key "token" (put secrets in tokenEnv or tokenFile)`);
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

  it('reports YAML syntax errors with file and line', () => {
    const dir = fixture({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': 'canary:\n  region: us-east\n waves: []\n' });
    const error = configError(dir);
    expect(error.message).toBe(`${dir}/plans/checkout.yaml: invalid YAML at line 3, column 1: All mapping items must start at the same column`);
    expect(error.issues).toEqual([
      { file: `${dir}/plans/checkout.yaml`, path: '', message: 'invalid YAML at line 3, column 1: All mapping items must start at the same column', line: 3 },
    ]);
    expect(problems({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': 'canary:\n\tregion: us-east\n' })).toEqual([
      '<dir>/plans/checkout.yaml: invalid YAML at line 2, column 1: Tabs are not allowed as indentation',
    ]);
    expect(problems({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': 'canary: { region: !regionref us-east }\n' })).toEqual([
      '<dir>/plans/checkout.yaml: invalid YAML at line 1, column 19: Unresolved tag: !regionref',
    ]);
  });

  it('reports duplicate keys as YAML errors', () => {
    expect(problems({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': `${PLAN}canary: { region: eu-west }\n` })).toEqual([
      '<dir>/plans/checkout.yaml: invalid YAML at line 4, column 1: Map keys must be unique',
    ]);
  });

  it('reports unset environment variables at the string that uses them', () => {
    const regions = `regions:
  - name: eu-west
    kubernetes:
      server: "\${SIMULATOR_URL}/regions/eu-west"
`;
    const dir = fixture({ 'regions.yaml': regions });
    const error = configError(dir);
    expect(error.message).toBe(`${dir}/regions.yaml: regions[0].kubernetes.server: environment variable SIMULATOR_URL is not set`);
    expect(error.issues).toEqual([
      { file: `${dir}/regions.yaml`, path: 'regions[0].kubernetes.server', message: 'environment variable SIMULATOR_URL is not set', line: 4 },
    ]);
  });

  it('requires regions.yaml', () => {
    expect(problems({ 'plans/checkout.yaml': PLAN })).toEqual(['<dir>/regions.yaml: file not found (regions.yaml is required)']);
  });

  it('requires at least one region', () => {
    expect(problems({ 'regions.yaml': 'regions: []\n' })).toEqual(['<dir>/regions.yaml: regions: must list at least one region']);
    expect(problems({ 'regions.yaml': '' })).toEqual(['<dir>/regions.yaml: file is empty']);
  });

  it('reports a missing configuration directory', () => {
    const error = configError(join(tmpdir(), 'tideline-no-such-config-dir'));
    expect(error.issues).toEqual([{ file: join(tmpdir(), 'tideline-no-such-config-dir'), path: '', message: 'configuration directory not found' }]);
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
    expect(problems({ 'regions.yaml': REGIONS, 'services/checkout.yaml': 'workloads: []\n' , 'plans/checkout.yaml': PLAN })).toEqual([
      '<dir>/services/checkout.yaml: workloads: must list at least one workload',
    ]);
    expect(problems({ 'regions.yaml': REGIONS, 'services/checkout.yaml': 'plan: checkout\n', 'plans/checkout.yaml': PLAN })).toEqual([
      '<dir>/services/checkout.yaml: workloads: is required',
    ]);
  });

  it('reports stray files in plans/ and services/', () => {
    expect(
      problems({
        'regions.yaml': REGIONS,
        'plans/Checkout.yaml': PLAN,
        'plans/README.md': '# notes',
        'services/checkout.json': '{}',
        'services/.keep': '',
      }),
    ).toEqual([
      '<dir>/plans/Checkout.yaml: file name "Checkout" is not a valid plan name: must be a lowercase name of letters, digits and "-" (at most 63 characters), e.g. "eu-west"',
      '<dir>/services/checkout.json: not a YAML file: service files must end in .yaml',
    ]);
  });

  it('reports every problem of every file together, paths relative to the working directory', () => {
    const error = configError(`${FIXTURES}/broken`);
    expect(error.message).toBe(
      [
        'test/fixtures/config/broken/plans/checkout.yaml: waves[1].regions[0]: unknown region "eu-wst" (known: eu-west, us-east)',
        'test/fixtures/config/broken/plans/checkout.yaml: waves[2].regions[0]: region "us-east" is already used at canary.region (a region appears at most once in a plan)',
        'test/fixtures/config/broken/plans/checkout.yaml: waves[2].maxParallel: must be a positive integer',
      ].join('\n'),
    );
    expect(error.issues.map((issue) => issue.line)).toEqual([6, 7, 8]);
    expect(error.name).toBe('ConfigError');
  });

  it('reports problems across files in a stable order', () => {
    expect(
      problems({
        'tideline.yaml': 'engine:\n  pollInterval: 0s\n  workerConcurrency: -1\n',
        'regions.yaml': `${REGIONS}  - name: eu-west\n    kubernetes: { context: x }\n`,
        'plans/checkout.yaml': 'canary: { region: us-east, approval: maybe }\nwaves:\n  - regions: [eu-west]\n    maxParallel: 2.5\n    bake: 1x\n',
        'services/checkout.yaml': 'workloads:\n  - deployment: Checkout\n',
      }),
    ).toEqual([
      '<dir>/tideline.yaml: engine.pollInterval: must be a positive duration like 30s',
      '<dir>/tideline.yaml: engine.workerConcurrency: must be a positive integer',
      '<dir>/regions.yaml: regions[2].name: duplicate region "eu-west" (also at regions[0].name)',
      '<dir>/plans/checkout.yaml: canary.approval: must be one of none, required',
      '<dir>/plans/checkout.yaml: waves[0].maxParallel: must be a positive integer',
      '<dir>/plans/checkout.yaml: waves[0].bake: must be a duration like 30s',
      '<dir>/services/checkout.yaml: workloads[0].deployment: must be a lowercase Kubernetes name of letters, digits, "-" and "." (at most 253 characters)',
    ]);
  });
});
