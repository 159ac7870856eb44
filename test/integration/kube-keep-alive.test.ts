/** The Kubernetes adapter reuses its connection to a cluster instead of opening one per call. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';
import type { RegionConfig } from '#config';
import { KubernetesClusters } from '#integrations';

const PADDING = Buffer.alloc(256 * 1024, ' ');
const w = { namespace: 'shop', deployment: 'checkout', container: 'checkout' };

describe('Kubernetes connections', () => {
  let sim: RunningSimulator;
  let proxy: Server;
  let connections = 0;
  let url = '';

  beforeAll(async () => {
    sim = await startSimulator({ regions: ['eu'], stepMs: 20 });
    // A counting pass-through in front of the simulator: every new TCP connection is counted.
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(`${sim.url}${req.url}`, {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json', accept: 'application/json' },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      // padded (JSON allows trailing whitespace) past what the HTTP client buffers on its own, as a
      // real Deployment can be: a response only frees its connection once it is read
      res.end(Buffer.concat([Buffer.from(await upstream.arrayBuffer()), PADDING]));
    });
    proxy.on('connection', () => connections++);
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/regions/eu`;
  });
  afterAll(async () => {
    await new Promise((ok) => proxy.close(ok));
    await sim.close();
  });

  it('twenty calls to one cluster use one connection', async () => {
    const region = { name: 'eu', kubernetes: { kind: 'server', server: url, skipTLSVerify: true } } as unknown as RegionConfig;
    const client = new KubernetesClusters([region], { timeoutMs: 5_000 }).forRegion('eu');
    for (let i = 0; i < 20; i++) await client.snapshot(w);
    expect(connections).toBe(1);
  });

  it('patches and failed calls free their connection too (their responses are read)', async () => {
    const region = { name: 'eu', kubernetes: { kind: 'server', server: url, skipTLSVerify: true } } as unknown as RegionConfig;
    const client = new KubernetesClusters([region], { timeoutMs: 5_000 }).forRegion('eu');
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const recorded = await client.snapshot(w);
      await client.deploy(w, `registry.example.com/shop/checkout:2.0.${i}`, { 'tideline.dev/release': `r${i}` });
      await expect(client.observe({ ...w, deployment: 'missing' })).rejects.toThrow(/HTTP 404/);
      await client.restore(recorded, ['tideline.dev/release']);
    }
    expect(connections - before).toBe(1);
  });

  it("drops an idle connection before the server's keep-alive timeout instead of reusing one being closed", async () => {
    proxy.keepAliveTimeout = 2_000; // the server says "Keep-Alive: timeout=2": Node's agent keeps the socket 1 s
    const region = { name: 'eu', kubernetes: { kind: 'server', server: url, skipTLSVerify: true } } as unknown as RegionConfig;
    const client = new KubernetesClusters([region], { timeoutMs: 5_000 }).forRegion('eu');
    const before = connections;
    await client.snapshot(w);
    await new Promise((ok) => setTimeout(ok, 1_400));
    await client.snapshot(w);
    expect(connections - before).toBe(2);
  });
});
