/**
 * `tideline config validate` (offline) reports every class of configuration error as
 * `file:line:col: path: problem` with exit 2, and the API and the worker refuse to start
 * with exactly the same lines (no stack trace).
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, removeFixtures } from '../fixtures/config/harness.js';
import { runCli } from '../support/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
afterAll(removeFixtures);

const REGIONS = `regions:
  - name: eu-west
    kubernetes: { context: eu }
    traffic: { provider: none }
  - name: us-east
    kubernetes: { server: "\${KUBE_URL}" }
    timeZone: Mars/Olympus
`;
const PLAN = `name: checkout
defaults:
  bake: 10m
  maxParallel: two
canary:
  region: us-east
  onFailure: drain
waves:
  - regions: [eu-west, eu-wst]
    bakee: 5m
`;
const SERVICE = `name: checkout
plan: chekout
workloads:
  - deployment: checkout
`;
const BROKEN_YAML = `name: other
workloads:
  - deployment: other
 plan: other
`;

function brokenDir(): string {
  return fixture({
    'regions.yaml': REGIONS,
    'plans/checkout.yaml': PLAN,
    'services/checkout.yaml': SERVICE,
    'services/other.yaml': BROKEN_YAML,
  });
}

/** `file:line:col: path: problem` lines with the directory shown as `<dir>`. */
function problemLines(text: string, dir: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.includes(dir))
    .map((l) => l.replaceAll(dir, '<dir>'));
}

describe('tideline config validate', () => {
  it('reports each class of error with its file, line and column, and exits 2', async () => {
    const dir = brokenDir();
    const run = await runCli(['config', 'validate', dir]);
    expect(run.code, run.stderr).toBe(2);
    const lines = problemLines(run.stdout, dir);
    const expected: Array<[string, RegExp]> = [
      // an unset environment variable, at the string that uses it
      ['unset variable', /^<dir>\/regions\.yaml:6:19: regions\[1\]\.kubernetes\.server: environment variable KUBE_URL is not set$/],
      // a bad value (time zone), at its key
      ['bad value', /^<dir>\/regions\.yaml:7:5: regions\[1\]\.timeZone: .+/],
      // a wrong type, at its key
      ['wrong type', /^<dir>\/plans\/checkout\.yaml:4:3: defaults\.maxParallel: .+/],
      // an unknown key with a hint, at the key
      ['unknown key', /^<dir>\/plans\/checkout\.yaml:10:5: waves\[0\]\.bakee: unknown key.*bake/],
      // cross-file: a region regions.yaml does not define, at the region
      ['unknown region', /^<dir>\/plans\/checkout\.yaml:9:24: waves\[0\]\.regions\[1\]: .*eu-wst.*/],
      // cross-file: a plan that does not exist, at its key
      ['unknown plan', /^<dir>\/services\/checkout\.yaml:2:1: plan: .*chekout.*/],
      // a YAML syntax error, at its position
      ['syntax error', /^<dir>\/services\/other\.yaml:4:1: invalid YAML at line 4, column 1: .+/],
    ];
    for (const [what, pattern] of expected)
      expect(
        lines.some((l) => pattern.test(l)),
        `${what}:\n${lines.join('\n')}`,
      ).toBe(true);
    expect(run.stderr).toMatch(/\d+ problems in /);
  });

  it('exits 0 on a valid directory and answers JSON on request', async () => {
    const ok = await runCli(['config', 'validate', join(ROOT, 'test/fixtures/config/full')], { EU_WEST_TOKEN: 'x' });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const dir = brokenDir();
    const bad = await runCli(['config', 'validate', dir, '-o', 'json']);
    expect(bad.code).toBe(2);
    const body = JSON.parse(bad.stdout.trim()) as { valid: boolean; problems: Array<{ file: string; line?: number; column?: number }> };
    expect(body.valid).toBe(false);
    expect(body.problems.length).toBeGreaterThanOrEqual(7);
    expect(body.problems.every((p) => p.line !== undefined && p.column !== undefined)).toBe(true);
  });

  it('the API and the worker refuse to start with the same lines and no stack trace', async () => {
    const dir = brokenDir();
    const cli = problemLines((await runCli(['config', 'validate', dir])).stdout, dir);
    for (const entry of ['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js']) {
      const child = spawn(process.execPath, [join(ROOT, entry)], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, TIDELINE_CONFIG_DIR: dir, PORT: '0', REDIS_URL: 'redis://127.0.0.1:1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
      expect(code, `${entry}: ${stderr}`).toBe(2);
      expect(problemLines(stderr, dir), entry).toEqual(cli);
      expect(stderr).toMatch(/invalid configuration \(\d+ problems\)/);
      expect(stderr).not.toMatch(/^\s+at /m);
    }
  });
});
