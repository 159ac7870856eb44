/** Every benchmark runs once at a tiny size from the built tree, so none can rot (results go to a temp dir, never bench/results). */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL, REDIS_URL } from '../support/services.js';

const ROOT = resolve(import.meta.dirname, '../..');
const results = mkdtempSync(join(tmpdir(), 'tideline-bench-smoke-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

function runBench(script: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'bench', script)], {
      cwd: ROOT,
      env: { ...process.env, BENCH_DATABASE_ADMIN_URL: PG_ADMIN_URL, BENCH_REDIS_URL: REDIS_URL, BENCH_RESULTS_DIR: results, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stderr });
    });
  });
}

describe('benchmarks at a tiny size', () => {
  it('release throughput: 2 releases × 3 regions against its floors (bare and honest), with SQL counts, one round', async () => {
    const r = await runBench(
      'release-throughput.js',
      { BENCH_RELEASES: '2', BENCH_REGIONS: '3', BENCH_IN_FLIGHT: '2', BENCH_TIMEOUT_S: '90', BENCH_ROUNDS: '1' },
      150_000,
    );
    expect(r.code, r.stderr).toBe(0);
    const file = readdirSync(results).find((f) => f.startsWith('release-throughput-'));
    expect(file).toBeDefined();
    // the markdown holds the printed summary lines verbatim
    expect(readFileSync(join(results, file!), 'utf8')).toContain('ratio over 1 round: engine / honest floor median');
  }, 180_000);

  it('api latency: 20 releases, 1 s per run, one round, beside a bare NestJS app', async () => {
    const r = await runBench('api-latency.js', { BENCH_API_RELEASES: '20', BENCH_API_SECONDS: '1', BENCH_API_ROUNDS: '1' }, 150_000);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(results).some((f) => f.startsWith('api-latency-'))).toBe(true);
  }, 180_000);

  it('gate reaction: one run, canary + 2 regions, real Prometheus', async () => {
    const r = await runBench(
      'gate-reaction.js',
      { BENCH_GATE_RUNS: '1', BENCH_GATE_REGIONS: '3', BENCH_GATE_SETTLE_MS: '1000', BENCH_GATE_CANARY_BAKE: '2s' },
      170_000,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(results).some((f) => f.startsWith('gate-reaction-'))).toBe(true);
  }, 200_000);

  it('scale: 3 releases × 3 watched regions, 2 gates at 5 s, measured for 10 s', async () => {
    const r = await runBench(
      'scale.js',
      {
        BENCH_SCALE_RELEASES: '3',
        BENCH_SCALE_REGIONS: '3',
        BENCH_SCALE_MEASURE_S: '10',
        BENCH_SCALE_INTERVAL: '5s',
        BENCH_SCALE_SCRAPE_S: '1',
      },
      150_000,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(results).some((f) => f.startsWith('scale-'))).toBe(true);
  }, 180_000);
});
