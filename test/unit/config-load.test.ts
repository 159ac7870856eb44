/** loadConfig on valid configurations: defaults, freezing, secrets kept out of output. */
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, Secret, workloadsFor } from '#config';
import { fixture, FIXTURES, PLAN, REGIONS, removeFixtures } from '../fixtures/config/harness.js';

afterAll(removeFixtures);

describe('loadConfig: valid configurations', () => {
  const env = { EU_WEST_TOKEN: 'env-t0ken-value', HOME: '/home/tester' };

  it('loads a full configuration with every default resolved', () => {
    const config = loadConfig(`${FIXTURES}/full`, env);
    const dir = resolve(FIXTURES, 'full');
    expect(config.dir).toBe(dir);
    expect(config.kubeconfigPath).toBe(join(dir, 'kube/config'));
    expect(config.engine).toEqual({
      pollIntervalMs: 1_000,
      defaultProgressDeadlineMs: 900_000,
      sweepIntervalMs: 30_000,
      workerConcurrency: 4,
    });

    expect(config.regions.map((r) => r.name)).toEqual(['canary-1', 'eu-west', 'us-east', 'ap-south']);
    expect(config.regionsByName.get('canary-1')).toEqual({
      name: 'canary-1',
      timeZone: 'UTC',
      traits: { tier: 'low', tags: [] },
      kubernetes: { kind: 'context', context: 'kind-canary', allowExec: false },
      prometheus: null,
      traffic: { provider: 'none', drainedFraction: 0.01, drainTimeoutMs: 600_000, timeoutMs: 5_000, windowMs: 15_000 },
      deploymentWindow: { allow: [], freezes: [] },
    });
    expect(config.preflight).toEqual({ alertQuery: 'ALERTS{alertstate="firing", region="{{region}}"}', recheckMs: 5_000 });
    const euWest = config.regionsByName.get('eu-west');
    expect(euWest?.traits).toEqual({ tier: 'high', tags: ['gdpr'] });
    expect(euWest?.timeZone).toBe('Europe/Dublin');
    expect(euWest?.kubernetes).toMatchObject({ kind: 'server', server: 'https://eu-west.k8s.example.com:6443', skipTLSVerify: false });
    const euWestK8s = euWest?.kubernetes;
    expect(euWestK8s?.kind === 'server' && euWestK8s.token?.reveal()).toBe('env-t0ken-value');
    const usEast = config.regionsByName.get('us-east')?.kubernetes;
    expect(usEast?.kind === 'server' && usEast.token).toBeInstanceOf(Secret);
    expect(usEast?.kind === 'server' && usEast.token?.reveal()).toBe('file-t0ken-value');
    expect(usEast).toMatchObject({ server: 'https://us-east.k8s.example.com', caFile: join(dir, 'secrets/ca.pem') });
    expect(config.regionsByName.get('ap-south')).toEqual({
      name: 'ap-south',
      timeZone: 'Asia/Kolkata',
      traits: { tier: 'low', tags: [] },
      kubernetes: { kind: 'server', server: 'http://127.0.0.1:7070/regions/ap-south', skipTLSVerify: true },
      prometheus: null,
      traffic: { provider: 'none', drainedFraction: 0.01, drainTimeoutMs: 600_000, timeoutMs: 5_000, windowMs: 15_000 },
      deploymentWindow: { allow: [], freezes: [] },
    });

    expect(config.plans.get('global')).toEqual({
      name: 'global',
      canary: {
        region: 'canary-1',
        bakeMs: 120_000,
        progressDeadlineMs: 900_000,
        maxParallel: 1,
        onFailure: 'rollback-region',
        approval: 'required',
        gates: [],
      },
      waves: [
        {
          name: 'wave-1',
          regions: ['eu-west'],
          bakeMs: 5_400_000,
          progressDeadlineMs: 900_000,
          maxParallel: 2,
          onFailure: 'rollback-region',
          approval: 'none',
          gates: [],
        },
        {
          name: 'rest',
          regions: ['us-east', 'ap-south'],
          bakeMs: 120_000,
          progressDeadlineMs: 300_000,
          maxParallel: 2,
          onFailure: 'rollback-region',
          approval: 'none',
          gates: [],
        },
      ],
    });
    expect(config.plans.get('minimal')).toEqual({
      name: 'minimal',
      canary: {
        region: 'eu-west',
        bakeMs: 600_000,
        progressDeadlineMs: 900_000,
        maxParallel: 1,
        onFailure: 'rollback',
        approval: 'none',
        gates: [],
      },
      waves: [],
    });

    const checkout = config.services.get('checkout');
    expect(checkout).toEqual({
      name: 'checkout',
      plan: 'global',
      onConcurrent: 'supersede',
      workloads: [
        { namespace: 'shop', deployment: 'checkout', container: 'checkout' },
        { namespace: 'shop', deployment: 'checkout-worker', container: 'worker' },
      ],
      regionWorkloads: { 'ap-south': [{ namespace: 'shop-ap', deployment: 'checkout', container: 'checkout' }] },
    });
    expect(config.services.get('minimal')).toEqual({
      name: 'minimal',
      plan: 'minimal',
      onConcurrent: 'queue',
      workloads: [{ namespace: 'default', deployment: 'minimal', container: 'minimal' }],
      regionWorkloads: {},
    });
  });

  it('picks per-region workloads with workloadsFor', () => {
    const checkout = loadConfig(`${FIXTURES}/full`, env).services.get('checkout');
    if (checkout === undefined) throw new Error('checkout missing');
    expect(workloadsFor(checkout, 'ap-south')).toEqual([{ namespace: 'shop-ap', deployment: 'checkout', container: 'checkout' }]);
    expect(workloadsFor(checkout, 'eu-west')).toBe(checkout.workloads);
    expect(workloadsFor(checkout, 'toString')).toBe(checkout.workloads);
  });

  it('returns a deeply frozen configuration', () => {
    const config = loadConfig(`${FIXTURES}/full`, env);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.engine)).toBe(true);
    expect(Object.isFrozen(config.regions)).toBe(true);
    expect(Object.isFrozen(config.regions[0]?.traits.tags)).toBe(true);
    expect(Object.isFrozen(config.plans.get('global')?.waves[0]?.regions)).toBe(true);
    expect(Object.isFrozen(config.services.get('checkout')?.regionWorkloads)).toBe(true);
    expect(() => (config.plans as Map<string, unknown>).set('x', {})).toThrow('read-only');
    expect(() => (config.services as Map<string, unknown>).delete('checkout')).toThrow('read-only');
    expect(() => (config.regionsByName as Map<string, unknown>).clear()).toThrow('read-only');
    expect(config.plans.size).toBe(2);
  });

  it('never exposes secret values in JSON or inspect output', () => {
    const config = loadConfig(`${FIXTURES}/full`, env);
    const everything = [
      JSON.stringify(config.regions),
      inspect(config, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      String(config.regions.map((r) => (r.kubernetes.kind === 'server' ? r.kubernetes.token : undefined))),
    ].join('\n');
    expect(everything).not.toContain('env-t0ken-value');
    expect(everything).not.toContain('file-t0ken-value');
    expect(everything).toContain('[redacted]');
  });

  it('loads the example config/ directory', () => {
    const config = loadConfig('config', { TIDELINE_ADMIN_TOKEN: 'example-admin-token-0123' });
    expect(config.engine.pollIntervalMs).toBe(500);
    expect(config.regions.map((r) => [r.name, r.traits.tier])).toEqual([
      ['us-west', 'low'],
      ['us-east', 'high'],
      ['eu-west', 'high'],
      ['eu-central', 'low'],
      ['ap-south', 'high'],
    ]);
    expect(config.regionsByName.get('ap-south')?.traits.tags).toEqual(['mobile-heavy', 'non-latin-input']);
    expect(config.regionsByName.get('us-west')?.kubernetes).toEqual({
      kind: 'server',
      server: 'http://127.0.0.1:7070/regions/us-west',
      skipTLSVerify: true,
    });
    expect(config.services.get('checkout')?.workloads).toEqual([{ namespace: 'shop', deployment: 'checkout', container: 'checkout' }]);
    const plan = config.plans.get('checkout');
    expect(plan?.canary).toMatchObject({ region: 'us-west', bakeMs: 6_000 });
    expect(plan?.waves.map((w) => [w.name, w.regions, w.maxParallel, w.bakeMs, w.onFailure])).toEqual([
      ['wave-1', ['us-east'], 1, 6_000, 'rollback'],
      ['wave-2', ['eu-west', 'eu-central', 'ap-south'], 3, 6_000, 'drain'],
    ]);
    // The example's default gates apply to every stage; every region has a Prometheus and a traffic provider.
    for (const stage of [plan?.canary, ...(plan?.waves ?? [])]) expect(stage?.gates.length).toBeGreaterThan(0);
    for (const region of config.regions) {
      expect(region.prometheus?.url).toBe('http://127.0.0.1:9090');
      expect(region.traffic).toMatchObject({ provider: 'simulator', url: 'http://127.0.0.1:7070' });
    }
  });

  it('interpolates the simulator URL of the example config', () => {
    const config = loadConfig('config', { SIMULATOR_URL: 'http://sim:9000', TIDELINE_ADMIN_TOKEN: 'example-admin-token-0123' });
    expect(config.regionsByName.get('eu-central')?.kubernetes).toMatchObject({ server: 'http://sim:9000/regions/eu-central' });
  });

  it('allows zero services and no plans', () => {
    const config = loadConfig(fixture({ 'regions.yaml': REGIONS }), {});
    expect(config.services.size).toBe(0);
    expect(config.plans.size).toBe(0);
    expect(config.engine.workerConcurrency).toBe(8);
  });

  it('accepts empty tideline.yaml and .yml files', () => {
    const config = loadConfig(fixture({ 'tideline.yaml': '# nothing\n', 'regions.yml': REGIONS, 'plans/checkout.yml': PLAN }), {});
    expect(config.plans.get('checkout')?.waves[0]?.name).toBe('wave-1');
  });
});
