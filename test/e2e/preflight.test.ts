/**
 * Pre-flight blockers end to end: a deployment freeze delays a region and then lets it go; a
 * firing alert (Prometheus ALERTS, from a rule over the simulator's metrics) blocks a region
 * until it resolves. Blockers make the release wait with the reason visible; they are not failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL } from '../support/api-client.js';
import { ERROR_RATE_QUERY, regionState, startGateEnv, type GateEnv } from '../support/gate-env.js';

const plan = (region: string) => ({
  defaults: {
    bake: '1s',
    progressDeadline: '5s',
    gates: [{ name: 'error-rate', query: ERROR_RATE_QUERY, condition: '< 0.01', interval: '1s', window: '5s', inconclusive: 'pass' }],
  },
  canary: { region },
});

describe('pre-flight blockers', () => {
  let env: GateEnv;
  let freezeEndsMs = 0;

  beforeAll(async () => {
    env = await startGateEnv({
      regions: ['eu-west', 'ap-east'],
      preflight: { recheckInterval: '500ms' },
      regionExtras: (region) => {
        if (region !== 'ap-east') return {};
        freezeEndsMs = Math.ceil((Date.now() + 20_000) / 1000) * 1000;
        return {
          timeZone: 'Asia/Hong_Kong',
          deploymentWindow: {
            freezes: [
              { from: new Date(freezeEndsMs - 3_600_000).toISOString(), to: new Date(freezeEndsMs).toISOString(), reason: 'test freeze' },
            ],
          },
        };
      },
      services: [
        { service: 'windy', plan: plan('ap-east') },
        { service: 'alerty', plan: plan('eu-west') },
      ],
    });
  });

  afterAll(async () => {
    await env?.close();
  });

  it('a closed deployment window delays the region, then the release proceeds', async () => {
    expect(Date.now()).toBeLessThan(freezeEndsMs - 3_000);
    const created = await env.create('windy', '2.0.0', 1);
    const waiting = await env.waitFor(created.id, (r) => (r.stateReason ?? '').includes('frozen'));
    expect(waiting.state).toBe('running');
    expect(waiting.stateReason).toMatch(/^waiting: ap-east: .*test freeze/);
    expect(regionState(waiting, 'ap-east')).toBe('pending');
    const done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state), 60_000);
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    const events = await env.events(created.id);
    const deploying = events.find((e) => e.type === 'region.deploying')!;
    expect(Date.parse(deploying.at)).toBeGreaterThanOrEqual(freezeEndsMs - 50);
    expect(events.filter((e) => e.type === 'region.blocked')).toHaveLength(1);
    expect(events.some((e) => e.type === 'region.unblocked')).toBe(true);
    const patches = env.sim.patchLog({ region: 'ap-east', name: 'windy' });
    expect(patches.length).toBeGreaterThan(0);
    for (const p of patches) expect(Date.parse(p.at)).toBeGreaterThanOrEqual(freezeEndsMs - 50);
  });

  it('a firing alert blocks the region until it resolves', async () => {
    env.sim.setAlert('eu-west', 'HighLatency', true);
    await env.prom.waitFor('ALERTS{alertstate="firing", region="eu-west"}', (s) => s.length > 0, 20_000);
    const created = await env.create('alerty', '2.0.0', 1);
    const blocked = await env.waitFor(created.id, (r) => (r.stateReason ?? '').includes('alert'));
    expect(blocked.stateReason).toMatch(/^waiting: eu-west: alert firing in eu-west: SimulatedRegionAlert/);
    await new Promise((r) => setTimeout(r, 2_000));
    const still = await env.waitFor(created.id, () => true);
    expect(regionState(still, 'eu-west')).toBe('pending');
    expect(env.sim.patchLog({ region: 'eu-west', name: 'alerty' })).toHaveLength(0);

    env.sim.setAlert('eu-west', 'HighLatency', false);
    const done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state), 60_000);
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    const events = await env.events(created.id);
    expect(events.find((e) => e.type === 'region.blocked')!.reason).toContain('SimulatedRegionAlert');
    expect(events.some((e) => e.type === 'region.unblocked')).toBe(true);
  });
});
