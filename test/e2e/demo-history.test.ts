/** `npm run demo -- --history`: the seeded past shows as time-to-smoke, a proposed plan, and a real drill with its trend. */
import { describe, expect, it } from 'vitest';
import { freePort, runDemo } from '../support/processes.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

describe('npm run demo -- --history', () => {
  it('seeds the history, shows time-to-smoke and a proposed plan, runs a drain drill, exits 0', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL,
      PORT: String(await freePort()),
      SIM_PORT: '0',
      PROMETHEUS_PORT: '0',
      TIDELINE_QUEUE_PREFIX: uniquePrefix(),
      DEMO_DEADLINE_SECONDS: '150',
    };
    delete env.DATABASE_URL;
    const { code, out } = await runDemo(['--history', '--exit'], env, 200_000);
    expect(code, out).toBe(0);
    expect(out).toContain('--history: 6 past releases of checkout that smoked 12m, 5m, 22m, 10m, 20m, 15m');
    expect(out).toMatch(
      /overall\s+6 failures\s+mean\s+14\.0m\s+p90\s+22\.0m\s+bake 28\.0m \(p95 22\.0m\): 2 × mean 14m over 6 failures = 28m/,
    );
    expect(out).toMatch(/canary\s+us-west: the service's canary region/);
    expect(out).toMatch(/high-traffic-canary-like\s+us-east/);
    expect(out).toMatch(/succeeded: 99% drained in [\d.]+s, restored in [\d.]+s, goal met/);
    expect(out).toMatch(/trend eu-central drain: 14\.0m → 9\.0m → 6\.0m → [\d.]+s \(3\/4 met the goal\)/);
  }, 240_000);
});
