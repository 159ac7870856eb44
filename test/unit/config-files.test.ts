/** loadConfig errors about files: missing, unreadable, stray, bad YAML, unset variables, ordering. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configError, fixture, FIXTURES, PLAN, problems, REGIONS, removeFixtures } from '../fixtures/config/harness.js';

afterAll(removeFixtures);

describe('loadConfig: file errors', () => {
  it('reports YAML syntax errors with file and line', () => {
    const dir = fixture({ 'regions.yaml': REGIONS, 'plans/checkout.yaml': 'canary:\n  region: us-east\n waves: []\n' });
    const error = configError(dir);
    expect(error.message).toBe(
      `${dir}/plans/checkout.yaml: invalid YAML at line 3, column 1: All mapping items must start at the same column`,
    );
    expect(error.issues).toEqual([
      {
        file: `${dir}/plans/checkout.yaml`,
        path: '',
        message: 'invalid YAML at line 3, column 1: All mapping items must start at the same column',
        line: 3,
        column: 1,
      },
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
      {
        file: `${dir}/regions.yaml`,
        path: 'regions[0].kubernetes.server',
        message: 'environment variable SIMULATOR_URL is not set',
        line: 4,
        column: 7,
      },
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
    expect(error.issues).toEqual([
      { file: join(tmpdir(), 'tideline-no-such-config-dir'), path: '', message: 'configuration directory not found' },
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
        'plans/checkout.yaml':
          'canary: { region: us-east, approval: maybe }\nwaves:\n  - regions: [eu-west]\n    maxParallel: 2.5\n    bake: 1x\n',
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
