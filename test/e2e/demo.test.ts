/** The README's first command: the demo runs a release to success on embedded Postgres. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/processes.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

describe('npm run demo', () => {
  it('rolls the example release out on embedded PGlite and exits 0 with --exit', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL,
      PORT: String(await freePort()),
      SIM_PORT: '0',
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
    };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['dist/scripts/demo.js', '--exit'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code, out).toBe(0);
    expect(out).toContain('postgres: embedded PGlite');
    expect(out).toMatch(/us-west\s+region\.verified/);
    expect(out).toMatch(/release succeeded/);
    for (const region of ['us-west', 'us-east', 'eu-west', 'eu-central', 'ap-south']) {
      expect(out).toMatch(new RegExp(`${region}\\s+verified\\s+runs registry.example.com/shop/checkout:1.1.0`));
    }
  }, 120_000);
});
