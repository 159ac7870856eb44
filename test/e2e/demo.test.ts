/** The README's first command: the demo runs a release to success on embedded Postgres. */
import { describe, expect, it } from 'vitest';
import { freePort, runDemo } from '../support/processes.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

describe('npm run demo', () => {
  it('rolls the example release out on embedded PGlite and exits 0 with --exit', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL,
      PORT: String(await freePort()),
      SIM_PORT: '0',
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      DEMO_DEADLINE_SECONDS: '70',
    };
    delete env.DATABASE_URL;
    const { code, out } = await runDemo(['--exit'], env, 90_000);
    expect(code, out).toBe(0);
    expect(out).toContain('postgres: embedded PGlite');
    expect(out).toMatch(/us-west\s+region\.verified/);
    expect(out).toMatch(/release succeeded/);
    for (const region of ['us-west', 'us-east', 'eu-west', 'eu-central', 'ap-south']) {
      expect(out).toMatch(new RegExp(`${region}\\s+verified\\s+runs registry.example.com/shop/checkout:1.1.0`));
    }
  }, 120_000);
});
