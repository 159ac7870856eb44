/**
 * The `tideline` CLI end to end, as CI runs it (stdout a pipe): API + worker processes, the
 * region simulator, a real Prometheus for the gates. Exit codes: success 0 with the final JSON
 * line, bad image 1, timeout 3 (still running), invalid image 2 naming the field, wrong token 6,
 * approval 5 and --until approved 0, Ctrl-C 130 (goes on), a lost API connection retried.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKEN } from '../support/auth.js';
import { call, type ReleaseBody } from '../support/api-client.js';
import { CLI, lastJson, runCli } from '../support/cli.js';
import { ERROR_RATE_QUERY, image, startGateEnv, type GateEnv } from '../support/gate-env.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Runs a shell command under `script`, which gives it a pseudo-terminal; what the terminal showed. */
function runScript(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string }> {
  return new Promise((res) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, TERM: 'xterm', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.once('close', (code) => res({ code, stdout }));
  });
}
const ESC = /\x1b/;
const gate = { name: 'error-rate', query: ERROR_RATE_QUERY, condition: '< 0.01', interval: '500ms', window: '5s', inconclusive: 'pass' };
const plan = (
  bake: string,
  waves: Array<Record<string, unknown>> = [{ name: 'wave-1', regions: ['ap-east', 'us-east'], maxParallel: 2 }],
) => ({
  defaults: { bake, progressDeadline: '4s', gates: [gate] },
  canary: { region: 'eu-west' },
  waves,
});

describe('tideline CLI against a running Tideline', () => {
  let env: GateEnv;
  let cliEnv: NodeJS.ProcessEnv;
  let restartedApi: ChildProcess | null = null;
  const tideline = (args: string[], extra: NodeJS.ProcessEnv = {}, opts = {}) => runCli(args, { ...cliEnv, ...extra }, opts);
  const create = (service: string, version: string, n: number, ...more: string[]) => [
    'release',
    'create',
    '--service',
    service,
    '--version',
    version,
    '--image',
    image(service, version),
    '--release-number',
    String(n),
    ...more,
  ];

  beforeAll(async () => {
    env = await startGateEnv({
      regions: ['eu-west', 'ap-east', 'us-east'],
      services: [
        { service: 'fast', plan: plan('1s') },
        { service: 'slow', plan: plan('1h') },
        { service: 'gated', plan: plan('500ms', [{ name: 'wave-1', regions: ['ap-east'], approval: 'required' }]) },
        { service: 'steady', plan: plan('6s', []) },
      ],
    });
    cliEnv = { TIDELINE_URL: env.api.url, TIDELINE_TOKEN: TEST_TOKEN };
  });

  afterAll(async () => {
    restartedApi?.kill('SIGTERM');
    await env?.close();
  });

  it('waits for a healthy release: exit 0, the id first, the final JSON line succeeded', async () => {
    const run = await tideline(create('fast', '2.0.0', 1, '--wait', '--timeout', '2m', '-o', 'json'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n')[0]).toMatch(/^release [0-9a-f-]{36} created \(running\)/);
    const id = /^release ([0-9a-f-]{36})/.exec(run.stderr)![1]!;
    expect(run.stderr).toContain(`${env.api.url}/releases/${id}`);
    const final = lastJson<ReleaseBody>(run);
    expect([final.id, final.state]).toEqual([id, 'succeeded']);
    expect(final.stages.flatMap((s) => s.regions.map((r) => r.state))).toEqual(['verified', 'verified', 'verified']);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stdout + run.stderr).not.toMatch(ESC);
  });

  it('prints plain progress lines without escape codes when stdout is not a terminal', async () => {
    const run = await tideline(create('fast', '2.0.1', 2, '--wait', '--timeout', '2m'));
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^release [0-9a-f-]{36} created \(running\): fast 2\.0\.1 #2$/);
    expect(lines[1]).toMatch(/\/releases\/[0-9a-f-]{36}$/);
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d\d:\d\d:\d\d\] canary eu-west: baking \(bake ends in \d+s\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d\d:\d\d:\d\d\] wave-1 us-east: verified$/));
    expect(lines.at(-1)).toMatch(/^release [0-9a-f-]{36} succeeded$/);
    expect(run.stdout).not.toMatch(ESC);
    // each change once: no line repeats (the timestamp aside)
    const bodies = lines.map((l) => l.replace(/^\[[\d:]+\] /, ''));
    expect(new Set(bodies).size).toBe(bodies.length);
  });

  it('a bad image is rolled back: exit 1 with the reason', async () => {
    env.sim.markBadImage(image('fast', '2.1.0'), ['ap-east']);
    const run = await tideline(create('fast', '2.1.0', 3, '--wait', '--timeout', '2m', '-o', 'json'));
    expect(run.code, run.stderr).toBe(1);
    expect(lastJson<ReleaseBody>(run).state).toBe('rolled_back');
    expect(run.stderr).toMatch(/release [0-9a-f-]{36} rolled back: .*ap-east/);
  });

  it('on a terminal: the tree is redrawn in place, at most 5 times a second, in colour unless NO_COLOR', async () => {
    const shell = (args: string[]) => `exec ${[process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ')}`;
    const started = Date.now();
    // `script` gives the CLI a pseudo-terminal as stdout
    const run = await runScript(shell(create('fast', '2.0.2', 4, '--wait', '--timeout', '2m')), { ...cliEnv });
    const seconds = (Date.now() - started) / 1000;
    expect(run.code, run.stdout).toBe(0);
    const redraws = run.stdout.match(/\x1b\[\d+A/g) ?? [];
    expect(redraws.length).toBeGreaterThan(0);
    expect(redraws.length).toBeLessThanOrEqual(Math.ceil(seconds * 5) + 1);
    expect(run.stdout).toMatch(/\x1b\[32m✔\x1b\[39m eu-west/);
    expect(run.stdout).toMatch(/release [0-9a-f-]{36} succeeded/);
    const id = /release ([0-9a-f-]{36}) created/.exec(run.stdout)![1]!;
    const plain = await runScript(shell(['release', 'watch', id]), { ...cliEnv, NO_COLOR: '1' });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/✔ us-east/);
    expect(plain.stdout).not.toMatch(/\x1b\[\d+m/);
  });

  it('an invalid image is a usage error: exit 2 naming the field, nothing created', async () => {
    const run = await tideline([
      'release',
      'create',
      '--service',
      'fast',
      '--version',
      '3.0.0',
      '--image',
      'registry.example.com/shop/fast:latest',
      '--release-number',
      '9',
      '--wait',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: 400 /m);
    expect(run.stderr).toMatch(/^ {2}image: .+/m);
    const list = await call<{ total: number }>(env.api.url, 'GET', '/v1/releases?service=fast&limit=1');
    expect(list.body.total).toBe(4);
    const flags = await tideline([
      'release',
      'create',
      '--service',
      'fast',
      '--version',
      '3.0.0',
      '--image',
      'x@sha256:1',
      '--release-number',
      '9',
      '--timeout',
      'soon',
      '--wait',
    ]);
    expect([flags.code, flags.stderr.trim()]).toEqual([2, 'error: --timeout: must be a duration like 30s, 10m or 2h (got "soon")']);
  });

  it('a refused token or an unreachable API: exit 6', async () => {
    const wrong = await tideline(['release', 'list'], { TIDELINE_TOKEN: 'tl_wrong' });
    expect(wrong.code).toBe(6);
    expect(wrong.stderr).toMatch(/refused the token \(401\)/);
    const down = await tideline(['release', 'list', '--url', 'http://127.0.0.1:1']);
    expect(down.code).toBe(6);
    expect(down.stderr).toMatch(/unreachable \(ECONNREFUSED\)/);
  });

  it('--timeout shorter than the bake: exit 3 with id and state, and the release goes on', async () => {
    const run = await tideline(create('slow', '2.0.0', 1, '--wait', '--timeout', '4s'));
    expect(run.code, run.stdout + run.stderr).toBe(3);
    const id = /^release ([0-9a-f-]{36}) created/.exec(run.stdout)![1]!;
    expect(run.stderr).toMatch(new RegExp(`timed out after 4s: release ${id} is still running; it goes on`));
    const now = await call<ReleaseBody>(env.api.url, 'GET', `/v1/releases/${id}`);
    expect(now.body.state).toBe('running');

    // Ctrl-C stops waiting, says the release goes on (130); one Ctrl-C: every later stdout chunk
    // would otherwise send another, and one landing after the wait ended kills the CLI outright
    let interrupted = false;
    const watched = await tideline(
      ['release', 'watch', id],
      {},
      {
        onStdout: (text: string, kill: (s: NodeJS.Signals) => void) => {
          if (interrupted || !text.includes('release running')) return;
          interrupted = true;
          kill('SIGINT');
        },
      },
    );
    expect(watched.code).toBe(130);
    expect(watched.stderr).toMatch(new RegExp(`stopped waiting; release ${id} goes on \\(running\\)`));

    // operator commands: get (JSON), rollback with a reason, events as a table
    const got = await tideline(['release', 'get', id, '-o', 'json']);
    expect(lastJson<ReleaseBody>(got).state).toBe('running');
    const rolled = await tideline(['rollback', id, '--reason', 'cli test cleanup']);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toMatch(/release [0-9a-f-]{36} is rolling_back/);
    const end = await tideline(['release', 'watch', id, '--timeout', '1m', '-o', 'json']);
    expect([end.code, lastJson<ReleaseBody>(end).state]).toEqual([1, 'rolled_back']);
    const again = await tideline(['rollback', id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/409/);
    const events = await tideline(['release', 'events', id]);
    expect(events.stdout.split('\n')[0]).toMatch(/^AT\s+TYPE\s+REGION\s+CHANGE\s+ACTOR\s+REASON$/);
    expect(events.stdout).toMatch(/test-admin\s+cli test cleanup/);
  });

  it('a cancelled release: exit 4 for whoever waits on it', async () => {
    const first = await tideline(create('slow', '2.1.0', 2, '-o', 'json'));
    const a = lastJson<ReleaseBody>(first);
    expect([first.code, a.state]).toEqual([0, 'running']);
    const second = await tideline(create('slow', '2.2.0', 3, '-o', 'json'));
    const b = lastJson<ReleaseBody>(second);
    expect(b.state).toBe('queued');
    let seen!: () => void;
    const waiting = new Promise<void>((r) => (seen = r));
    const watch = tideline(
      ['release', 'watch', b.id, '--timeout', '1m'],
      {},
      { onStdout: (text: string) => text.includes('release queued') && seen() },
    );
    await waiting;
    const cancelled = await tideline(['cancel', b.id, '--reason', 'not this one']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const watched = await watch;
    expect(watched.code).toBe(4);
    expect(watched.stdout).toMatch(new RegExp(`release ${b.id} cancelled`));
    expect((await tideline(['rollback', a.id, '--reason', 'cleanup'])).code).toBe(0);
    expect((await tideline(['release', 'watch', a.id, '--timeout', '1m'])).code).toBe(1);
  });

  it('an approval stage: exit 5 unless --until approved (0); approve, then it succeeds', async () => {
    const held = await tideline(create('gated', '2.0.0', 1, '--wait', '--timeout', '2m', '-o', 'json'));
    expect(held.code, held.stderr).toBe(5);
    const release = lastJson<ReleaseBody>(held);
    expect(release.state).toBe('awaiting_approval');
    expect(held.stderr).toMatch(/awaiting approval/);
    const until = await tideline(['release', 'watch', release.id, '--until', 'approved', '--timeout', '1m', '-o', 'json']);
    expect([until.code, lastJson<ReleaseBody>(until).state]).toEqual([0, 'awaiting_approval']);
    const fresh = await tideline(create('gated', '2.0.0', 1, '--wait', '--until', 'approved', '--timeout', '1m'));
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/already exists/);
    const approved = await tideline(['approve', release.id, '--reason', 'looks good', '-o', 'json']);
    expect(approved.code).toBe(0);
    expect(lastJson<{ release: { state: string } }>(approved).release.state).toBe('running');
    const done = await tideline(['release', 'watch', release.id, '--timeout', '1m', '-o', 'json']);
    expect([done.code, lastJson<ReleaseBody>(done).state]).toEqual([0, 'succeeded']);
    const audit = await tideline(['audit', '--release', release.id, '-o', 'json']);
    expect(lastJson<{ items: Array<{ actor: string; reason: string }> }>(audit).items).toContainEqual(
      expect.objectContaining({ actor: 'test-admin', reason: 'looks good' }),
    );
  });

  it('lists releases and regions as tables and JSON', async () => {
    const list = await tideline(['release', 'list', '--service', 'fast']);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+SERVICE\s+VERSION\s+NUMBER\s+STATE\s+STAGE\s+CREATED$/);
    expect(list.stdout).toMatch(/fast\s+2\.1\.0\s+3\s+rolled_back/);
    const id = /^(\S+)\s+fast\s+2\.1\.0/m.exec(list.stdout)![1]!;
    const gates = await tideline(['release', 'gates', id]);
    expect(gates.code, gates.stderr).toBe(0);
    expect(gates.stdout.split('\n')[0]).toMatch(/^REGION\s+GATE\s+CONDITION\s+LAST\s+EVALS\s+WORST CASE\s+QUERY$/);
    expect(gates.stdout).toMatch(/eu-west\s+error-rate\s+< 0\.01\s+pass/);
    const regions = await tideline(['regions', '-o', 'json']);
    expect(regions.code, regions.stderr).toBe(0);
    expect(lastJson<{ items: Array<{ name: string }> }>(regions).items.map((r) => r.name)).toEqual(['eu-west', 'ap-east', 'us-east']);
    // these regions have no traffic provider: the API refuses (409), the CLI says so with exit 2
    const drain = await tideline(['region', 'drain', 'eu-west', '--reason', 'cli test']);
    expect(drain.code).toBe(2);
    expect(drain.stderr).toMatch(/^error: 409 .*/m);
  });

  it('a lost connection while waiting is retried, not reported as a failure', async () => {
    const port = new URL(env.api.url).port;
    const waiting = tideline(create('steady', '2.0.0', 1, '--wait', '--timeout', '2m', '--poll-interval', '300ms', '-o', 'json'), {}, {});
    // kill the API while the canary bakes, then start it again on the same port
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const r = await call<{ items: Array<{ id: string; state: string }> }>(env.api.url, 'GET', '/v1/releases?service=steady').catch(
        () => null,
      );
      const id = r?.body.items[0]?.id;
      const detail = id ? await call<ReleaseBody>(env.api.url, 'GET', `/v1/releases/${id}`) : null;
      if (detail?.body.stages[0]?.regions[0]?.state === 'baking') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    await env.api.kill('SIGKILL');
    await new Promise((res) => setTimeout(res, 1_500));
    restartedApi = spawn(process.execPath, [resolve(ROOT, 'dist/apps/api/src/main.js')], {
      cwd: ROOT,
      env: { ...process.env, ...env.env, PORT: port },
      stdio: 'ignore',
    });
    const run = await waiting;
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson<ReleaseBody>(run).state).toBe('succeeded');
    expect(run.stderr).toMatch(/connection lost \(.*\); retrying until the API answers/);
    expect(run.stderr).toMatch(/connection back after/);
  });
});
