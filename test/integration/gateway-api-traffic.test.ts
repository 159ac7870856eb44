/**
 * The gateway-api traffic provider against the simulator's edge cluster over HTTP, through
 * @kubernetes/client-node: only the named weights move, no-op writes are skipped, a concurrent
 * edit (resourceVersion) is re-read and kept, a route its gateway does not accept is an error.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import { TrafficError } from '#application';
import { createTrafficProvider, GatewayApiTrafficProvider } from '#integrations';

const REGIONS = ['eu-west', 'us-east'];
const USER_RULE = { matches: [{ headers: [{ name: 'x-beta', value: '1' }] }], backendRefs: [{ name: 'beta', port: 80, weight: 3 }] };

interface Route {
  metadata: { generation: number; resourceVersion: string; labels?: Record<string, string> };
  spec: { rules: { backendRefs: { name: string; weight?: number }[] }[] };
}

function kubeConfig(server: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'edge', server, skipTLSVerify: true }],
    users: [{ name: 'tideline' }],
    contexts: [{ name: 'edge', cluster: 'edge', user: 'tideline' }],
    currentContext: 'edge',
  });
  return kc;
}

describe('gateway-api traffic provider against the simulator', () => {
  let sim: RunningSimulator;
  let proxy: Server;
  let proxyUrl = '';
  /** Runs once before the next PATCH that reaches the proxy is forwarded (a user's edit racing Tideline's). */
  let beforeNextPatch: (() => Promise<void>) | undefined;
  let beforeEveryPatch: (() => Promise<void>) | undefined;
  const methods: string[] = [];

  const provider = (region: string, server = sim.edgeUrl, timeoutMs = 5_000): GatewayApiTrafficProvider =>
    new GatewayApiTrafficProvider({
      kubeConfig: kubeConfig(server),
      namespace: 'edge',
      route: 'global',
      backendRef: region,
      managed: REGIONS,
      timeoutMs,
      pollMs: 20,
    });
  const route = (): Route => sim.readHttpRoute('edge', 'global') as unknown as Route;
  const edit = async (body: object): Promise<void> => {
    const res = await fetch(`${sim.edgeUrl}/apis/gateway.networking.k8s.io/v1/namespaces/edge/httproutes/global`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    sim = await startSimulator({ regions: REGIONS, lbRampMs: 0, routeAcceptMs: 150 });
    // a pass-through proxy in front of the edge cluster, to interleave a user's edit with Tideline's write
    proxy = createServer((req, res) => {
      methods.push(req.method ?? '');
      const hook = req.method === 'PATCH' ? (beforeNextPatch ?? beforeEveryPatch) : undefined;
      if (hook === beforeNextPatch) beforeNextPatch = undefined;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (hook ? hook() : Promise.resolve()).then(() => {
          const target = new URL(`${sim.edgeUrl}${req.url ?? '/'}`);
          const out = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          });
          out.end(Buffer.concat(chunks));
        });
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    sim.reset();
    methods.length = 0;
    beforeNextPatch = undefined;
    beforeEveryPatch = undefined;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise<void>((r) => proxy.close(() => r()));
    await sim.close();
  });

  it('drains and restores a region by its backendRef weight only; the load balancer follows', async () => {
    await edit({ spec: { rules: [...(route().spec.rules as object[]), USER_RULE] } });
    const euWest = provider('eu-west');
    expect(await euWest.getWeight()).toBe(1); // unset = the Gateway API default
    const generation = route().metadata.generation;

    await euWest.setWeight('eu-west', 0);
    const drained = route();
    expect(drained.metadata.generation).toBe(generation + 1);
    expect(drained.spec.rules[0]?.backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'eu-west', port: 80, weight: 0 },
      { group: '', kind: 'Service', name: 'us-east', port: 80, weight: 1 }, // written out, never left unset
    ]);
    expect(drained.spec.rules[1]).toEqual(USER_RULE); // the user's rule is untouched
    expect(await euWest.getWeight()).toBe(0);
    expect(sim.weights()).toEqual({ 'eu-west': 0, 'us-east': 100 });
    const status = (
      sim.readHttpRoute('edge', 'global') as {
        status: { parents: { conditions: { type: string; status: string; observedGeneration: number }[] }[] };
      }
    ).status;
    expect(status.parents[0]?.conditions.map((c) => [c.type, c.status, c.observedGeneration])).toEqual([
      ['Accepted', 'True', generation + 1],
      ['ResolvedRefs', 'True', generation + 1],
    ]); // setWeight returned only once the gateway had reported on the new generation

    await euWest.setWeight('eu-west', 1);
    expect(route().spec.rules[0]?.backendRefs.map((r) => r.weight)).toEqual([1, 1]);
    expect(sim.weights()).toEqual({ 'eu-west': 100, 'us-east': 100 });
  });

  it('skips a write that changes nothing', async () => {
    const usEast = provider('us-east', proxyUrl);
    await usEast.setWeight('us-east', 1); // unset already means 1
    const before = route().metadata;
    await usEast.setWeight('us-east', 1);
    expect(route().metadata).toEqual(before);
    expect(methods).not.toContain('PATCH');
  });

  it('re-reads and retries when the route changed between its read and its write, keeping the other edit', async () => {
    let raced = false;
    beforeNextPatch = async () => {
      raced = true;
      await edit({ metadata: { labels: { owner: 'platform' } }, spec: { hostnames: ['www.example.com'] } });
    };
    await provider('us-east', proxyUrl).setWeight('us-east', 0);
    expect(raced).toBe(true);
    expect(methods.filter((m) => m === 'PATCH')).toHaveLength(2); // the first one was refused (resourceVersion)
    const after = route() as Route & { spec: { hostnames: string[] } };
    expect(after.spec.hostnames).toEqual(['www.example.com']);
    expect(after.metadata.labels).toEqual({ owner: 'platform' });
    expect(after.spec.rules[0]?.backendRefs.map((r) => [r.name, r.weight])).toEqual([
      ['eu-west', 1],
      ['us-east', 0],
    ]);
  });

  it('gives up with a conflict error when every write races another edit', async () => {
    let edits = 0;
    beforeEveryPatch = () => edit({ metadata: { annotations: { edit: String((edits += 1)) } } });
    const err = (await provider('eu-west', proxyUrl)
      .setWeight('eu-west', 0)
      .catch((e: unknown) => e)) as TrafficError;
    expect(err).toBeInstanceOf(TrafficError);
    expect(err.status).toBe(409);
    expect(err.message).toMatch(/could not be written \(conflicting edits for 5 attempts or 5000ms\)/);
    expect(methods.filter((m) => m === 'PATCH')).toHaveLength(5);
    expect(route().spec.rules[0]?.backendRefs[0]?.weight).toBeUndefined(); // nothing half-written
  });

  it('is an error, not trusted, when the gateway does not accept the route or does not answer in time', async () => {
    sim.setRouteAcceptance({
      accepted: false,
      resolvedRefs: true,
      reason: 'NotAllowedByListeners',
      message: 'no listener allows this hostname',
    });
    const err = await provider('eu-west')
      .setWeight('eu-west', 0)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrafficError);
    expect((err as Error).message).toMatch(
      /HTTPRoute edge\/global \(generation \d+\) was not accepted for region eu-west: parent edge-gateway reports Accepted False \(NotAllowedByListeners: no listener allows this hostname\)/,
    );
    expect(sim.weights()['eu-west']).toBe(100); // the gateway did not program it
    // a retry finds the weight written but still refused
    await expect(provider('eu-west').setWeight('eu-west', 0)).rejects.toThrow(/Accepted False/);

    sim.setRouteAcceptance({ accepted: true, resolvedRefs: false, reason: 'BackendNotFound' });
    await expect(provider('us-east').setWeight('us-east', 0)).rejects.toThrow(/ResolvedRefs False \(BackendNotFound/);

    const slow = await startSimulator({ regions: REGIONS, routeAcceptMs: 60_000 });
    try {
      const started = Date.now();
      const p = new GatewayApiTrafficProvider({
        kubeConfig: kubeConfig(slow.edgeUrl),
        namespace: 'edge',
        route: 'global',
        backendRef: 'eu-west',
        managed: REGIONS,
        timeoutMs: 600,
        pollMs: 50,
      });
      await expect(p.setWeight('eu-west', 0)).rejects.toThrow(/did not report Accepted and ResolvedRefs for generation 2 within 600ms/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await slow.close();
    }
  });

  it('names a missing route or backendRef; the registry builds the provider', async () => {
    await expect(provider('ap-south').getWeight()).rejects.toThrow('HTTPRoute edge/global has no backendRef named "ap-south"');
    const missing = new GatewayApiTrafficProvider({
      kubeConfig: kubeConfig(sim.edgeUrl),
      namespace: 'edge',
      route: 'nope',
      backendRef: 'eu-west',
      managed: REGIONS,
      timeoutMs: 2_000,
    });
    const err = (await missing.getWeight().catch((e: unknown) => e)) as TrafficError;
    expect(err).toBeInstanceOf(TrafficError);
    expect(err.status).toBe(404);
    expect(err.message).toContain('get HTTPRoute edge/nope failed with HTTP 404');
    const built = createTrafficProvider({
      type: 'gateway-api',
      gateway: { kubeConfig: kubeConfig(sim.edgeUrl), namespace: 'edge', route: 'global', backendRef: 'us-east', managed: REGIONS },
    });
    expect(await built?.getWeight('us-east')).toBe(1);
    expect(() => createTrafficProvider({ type: 'gateway-api' })).toThrow('needs an edge cluster');
  });
});
