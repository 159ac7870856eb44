/** regions.yaml `traffic: { provider: gateway-api, … }`: the edge cluster, the route, each region's backendRef. */
import { afterAll, describe, expect, it } from 'vitest';
import { load, problems, removeFixtures } from '../fixtures/config/harness.js';
import { backendRefOf } from '#integrations';

afterAll(removeFixtures);

const GATEWAY = { provider: 'gateway-api', kubernetes: { context: 'edge' }, namespace: 'edge', route: 'global' };

function regionsFile(defaults: object | undefined, ops: object = {}): Record<string, string> {
  const regions = [
    { name: 'eu-west', kubernetes: { context: 'eu' }, ...ops },
    { name: 'us-east', kubernetes: { context: 'us' } },
  ];
  return { 'regions.yaml': JSON.stringify({ ...(defaults ? { defaults: { traffic: defaults } } : {}), regions }) };
}
const AT = '<dir>/regions.yaml: regions[0].traffic';

describe('regions.yaml: traffic provider gateway-api', () => {
  it('takes a short setup under defaults: every region is its own backendRef', () => {
    const config = load(regionsFile(GATEWAY));
    const euWest = config.regionsByName.get('eu-west')!;
    expect(euWest.traffic).toEqual({
      provider: 'gateway-api',
      drainedFraction: 0.01,
      drainTimeoutMs: 600_000,
      timeoutMs: 5_000,
      windowMs: 15_000,
      gateway: { kubernetes: { kind: 'context', context: 'edge', allowExec: false }, namespace: 'edge', route: 'global', backendRefs: {} },
    });
    expect(config.regions.map(backendRefOf)).toEqual(['eu-west', 'us-east']);
  });

  it('maps regions to backendRef names with backendRefs, or backendRef on the region', () => {
    const mapped = load(regionsFile({ ...GATEWAY, backendRefs: { 'eu-west': 'checkout-euw', 'us-east': 'checkout-use' } }));
    expect(mapped.regions.map(backendRefOf)).toEqual(['checkout-euw', 'checkout-use']);
    const own = load(
      regionsFile(GATEWAY, { traffic: { ...GATEWAY, backendRef: 'shop-eu', kubernetes: { server: 'https://edge.example.com:6443' } } }),
    );
    expect(own.regions.map(backendRefOf)).toEqual(['shop-eu', 'us-east']);
    expect(own.regionsByName.get('eu-west')?.traffic.gateway?.kubernetes).toEqual({
      kind: 'server',
      server: 'https://edge.example.com:6443',
      skipTLSVerify: false,
    });
  });

  it('names every missing or misplaced key', () => {
    expect(problems(regionsFile(undefined, { traffic: { provider: 'gateway-api', url: 'http://lb' } }))).toEqual([
      `${AT}.url: provider gateway-api takes no url: it patches the HTTPRoute through kubernetes`,
      `${AT}.kubernetes: is required for provider gateway-api`,
      `${AT}.namespace: is required for provider gateway-api`,
      `${AT}.route: is required for provider gateway-api`,
    ]);
    expect(
      problems(
        regionsFile(undefined, { traffic: { provider: 'simulator', url: 'http://sim', route: 'global', backendRefs: { 'eu-west': 'x' } } }),
      ),
    ).toEqual([
      `${AT}.route: only with provider gateway-api (provider is simulator)`,
      `${AT}.backendRefs: only with provider gateway-api (provider is simulator)`,
    ]);
    expect(
      problems(
        regionsFile(undefined, {
          traffic: { ...GATEWAY, kubernetes: { context: 'edge', server: 'https://x' }, route: 'Global_Route', backendRefs: ['a'] },
        }),
      ),
    ).toEqual([
      `${AT}.kubernetes: set either context or server, not both`,
      `${AT}.route: must be a lowercase Kubernetes name of letters, digits, "-" and "." (at most 253 characters)`,
      `${AT}.backendRefs: must be a map of region name to backendRef name, e.g. { eu-west: checkout-eu-west }`,
    ]);
    expect(problems(regionsFile({ ...GATEWAY, backendRefs: { 'eu-west': 'a', 'eu-wset': 'b' } }))).toEqual([
      '<dir>/regions.yaml: defaults.traffic.backendRefs.eu-wset: no region named "eu-wset" in this file',
    ]);
  });
});
