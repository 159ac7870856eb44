/** Spawns the built API and worker as real processes (the tests' SIGKILL target); workers' metrics listeners are off unless a test sets METRICS_PORT. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import './auth.js'; // children inherit TIDELINE_TEST_TOKEN

const ROOT = resolve(import.meta.dirname, '../..');

export interface Proc {
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

function spawnProc(script: string, env: NodeJS.ProcessEnv, readyText: string, timeoutMs = 30_000): Proc & { ready: Promise<void> } {
  const child = spawn(process.execPath, [resolve(ROOT, script)], {
    cwd: ROOT,
    env: { METRICS_PORT: '0', ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ready = new Promise<void>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // a process that never got ready must not outlive the test
      rej(new Error(`${script} not ready after ${timeoutMs}ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(readyText)) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      if (!out.includes(readyText)) rej(new Error(`${script} exited (${code ?? sig}) before ready:\n${out}`));
    });
  });
  return {
    child,
    ready,
    output: () => out,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

async function launch(script: string, env: NodeJS.ProcessEnv, readyText: string): Promise<Proc> {
  const proc = spawnProc(script, env, readyText);
  await proc.ready;
  return proc;
}

/** Start a worker without waiting for it to be ready (it may be killed while starting). */
export function spawnWorker(env: NodeJS.ProcessEnv): Proc & { ready: Promise<void> } {
  const proc = spawnProc('dist/apps/worker/src/main.js', env, '"msg":"worker ready"');
  proc.ready.catch(() => undefined);
  return proc;
}

export function startWorker(env: NodeJS.ProcessEnv): Promise<Proc> {
  return launch('dist/apps/worker/src/main.js', env, '"msg":"worker ready"');
}

export async function startApi(env: NodeJS.ProcessEnv): Promise<Proc & { url: string }> {
  const port = await freePort();
  const proc = await launch('dist/apps/api/src/main.js', { ...env, PORT: String(port) }, '"msg":"api listening"');
  return { ...proc, url: `http://127.0.0.1:${port}` };
}

/**
 * Runs `dist/scripts/demo.js` with `args` to its end: exit code and everything it printed.
 * A demo still running after `limitMs` gets SIGTERM (it then says what it stops), SIGKILL
 * 25 s later, so a stalled demo fails its test with its output rather than a bare timeout.
 */
export async function runDemo(args: string[], env: NodeJS.ProcessEnv, limitMs: number): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['dist/scripts/demo.js', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const term = setTimeout(() => {
    out += `\n[test] demo still running after ${limitMs / 1000} s: SIGTERM\n`;
    child.kill('SIGTERM');
  }, limitMs);
  const kill = setTimeout(() => child.kill('SIGKILL'), limitMs + 25_000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(term);
  clearTimeout(kill);
  return { code, out };
}
