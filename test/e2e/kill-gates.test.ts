/**
 * Durability with gates: SIGKILL the worker at random moments while a release bakes, its
 * canary smokes after being verified, and every touched region is rolled back. The release
 * still ends rolled_back, the gate fails once, and each region was patched exactly once to
 * the new image and once back. The smoke starts only after five kills (the wave's bake is
 * long and ends through the rollback), so a loaded machine that starts workers slowly still
 * sees at least five kills before and more during the failure and rollback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL } from '../support/api-client.js';
import { ERROR_RATE_QUERY, image, regionState, REQUESTS_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';
import { spawnWorker, type Proc } from '../support/processes.js';

const REGIONS = ['us-west', 'us-east', 'eu-west'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker SIGKILL while gates run', () => {
  let env: GateEnv;
  const workers: Proc[] = [];

  beforeAll(async () => {
    env = await startGateEnv({
      regions: REGIONS,
      services: [
        {
          service: 'kill',
          plan: {
            defaults: {
              bake: '4s',
              progressDeadline: '8s',
              gates: [
                {
                  name: 'error-rate',
                  query: ERROR_RATE_QUERY,
                  condition: '< 0.01',
                  interval: '1s',
                  window: '5s',
                  minEvidence: { query: REQUESTS_QUERY, min: 5 },
                },
              ],
            },
            canary: { region: 'us-west' },
            waves: [{ name: 'wave-1', regions: ['us-east', 'eu-west'], maxParallel: 2, bake: '10m' }],
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await env?.close();
  });

  it(
    'ends rolled_back with one gate failure and one patch each way per region, through repeated SIGKILLs',
    { timeout: 180_000 },
    async () => {
      const created = await env.create('kill', '2.0.0', 1);
      let current: Proc = env.worker;
      let kills = 0;
      let killsAtFault: number | null = null;
      let done = await env.waitFor(created.id, () => true);
      const deadline = Date.now() + 150_000;
      while (!TERMINAL.includes(done.state)) {
        if (Date.now() > deadline) throw new Error(`not ended after ${kills} kills: ${JSON.stringify(done)}`);
        // The verified canary smokes once the release has survived five kills.
        if (killsAtFault === null && kills >= 5 && regionState(done, 'us-west') === 'verified') {
          env.sim.injectVersionFault({ version: '2.0.0', regions: ['us-west'], errorRate: 0.3 });
          killsAtFault = kills;
        }
        await sleep(700 + Math.random() * 1_500);
        await current.kill('SIGKILL');
        kills++;
        const next = spawnWorker(env.env);
        workers.push(next);
        current = next;
        await next.ready.catch(() => undefined);
        done = await env.waitFor(created.id, () => true);
      }
      done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state), 60_000);
      expect(done.state, JSON.stringify(done)).toBe('rolled_back');
      expect(killsAtFault).toBeGreaterThanOrEqual(5);
      expect(kills).toBeGreaterThan(killsAtFault!); // and at least one more while the gate fails and the rollback runs

      const events = await env.events(created.id);
      expect(events.filter((e) => e.type === 'gate.failed')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'release.rolling_back')).toHaveLength(1);
      for (const region of REGIONS) {
        const effects = env.sim
          .patchLog({ region, name: 'kill' })
          .filter((p) => p.changedSpec)
          .map((p) => p.images['kill']);
        expect(effects, region).toEqual([image('kill', '2.0.0'), image('kill', '1.0.0')]);
      }
    },
  );
});
