/** main.ts as a process: env configuration, the "listening" line, SIGTERM. */
import { spawn, execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionsFromEnv, parseDeployments } from '../../apps/simulator/src/config.js';
import { appsApi } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('simulator env configuration', () => {
  it('has defaults', () => {
    expect(optionsFromEnv({})).toEqual({
      port: 7070,
      host: '127.0.0.1',
      regions: ['us-west', 'us-east', 'eu-west', 'eu-central', 'ap-south'],
    });
  });

  it('reads every variable', () => {
    expect(
      optionsFromEnv({
        SIM_PORT: '0',
        SIM_HOST: '0.0.0.0',
        SIM_REGIONS: ' a , b ',
        SIM_STEP_MS: '0',
        SIM_REPLICAS: '5',
        SIM_PROGRESS_DEADLINE_SECONDS: '30',
        SIM_DEPLOYMENTS: 'shop/checkout:checkout=reg.io/c:2.0.0,payments/ledger:app',
        SIM_TOKEN: 't0k',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      regions: ['a', 'b'],
      stepMs: 0,
      replicas: 5,
      progressDeadlineSeconds: 30,
      deployments: [
        { namespace: 'shop', name: 'checkout', container: 'checkout', image: 'reg.io/c:2.0.0' },
        { namespace: 'payments', name: 'ledger', container: 'app', image: 'registry.example.com/payments/ledger:1.0.0' },
      ],
      token: 't0k',
    });
  });

  it('rejects bad values with the variable named', () => {
    expect(() => optionsFromEnv({ SIM_STEP_MS: 'fast' })).toThrow(/SIM_STEP_MS/);
    expect(() => optionsFromEnv({ SIM_PROGRESS_DEADLINE_SECONDS: '0' })).toThrow(/SIM_PROGRESS_DEADLINE_SECONDS/);
    expect(() => parseDeployments('shop-checkout')).toThrow(/ns\/name:container/);
    expect(() => optionsFromEnv({ SIM_RPS: '-1' })).toThrow(/SIM_RPS/);
    expect(() => optionsFromEnv({ SIM_LB_RAMP_MS: '1.5' })).toThrow(/SIM_LB_RAMP_MS/);
  });

  it('reads the traffic knobs', () => {
    expect(optionsFromEnv({ SIM_RPS: '7.5', SIM_LATENCY_MS: '120', SIM_LB_RAMP_MS: '0' })).toMatchObject({
      rps: 7.5,
      latencyMs: 120,
      lbRampMs: 0,
    });
  });
});

describe('simulator CLI', () => {
  let dir: string;
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tideline-sim-'));
    await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    await promisify(execFile)(
      process.execPath,
      [
        tsc,
        '--outDir',
        dir,
        '--rootDir',
        join(ROOT, 'apps/simulator/src'),
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--strict',
        '--skipLibCheck',
        '--types',
        'node',
        '--ignoreConfig',
        join(ROOT, 'apps/simulator/src/main.ts'),
      ],
      { cwd: ROOT },
    );
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the listening line, serves the regions and exits on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kubeconfig.json');
    const proc = spawn(process.execPath, [join(dir, 'main.js')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        SIM_PORT: '0',
        SIM_REGIONS: 'eu-west,ap-south',
        SIM_STEP_MS: '0',
        SIM_REPLICAS: '2',
        SIM_DEPLOYMENTS: 'shop/checkout:checkout,shop/cart:cart=reg.io/cart:3.1.0',
        SIM_TOKEN: 'cli-token',
        SIM_KUBECONFIG: kubeconfig,
      },
    });
    child = proc;
    const lines = createInterface({ input: proc.stdout });
    const first = await new Promise<string>((resolveLine, reject) => {
      lines.once('line', resolveLine);
      proc.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const ready: unknown = JSON.parse(first);
    expect(ready).toMatchObject({ msg: 'simulator listening', regions: ['eu-west', 'ap-south'] });
    const url = typeof ready === 'object' && ready !== null ? Reflect.get(ready, 'url') : undefined;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const api = appsApi(`${String(url)}/regions/ap-south`, 'cli-token');
    const cart = await api.readNamespacedDeployment({ name: 'cart', namespace: 'shop' });
    expect(cart.spec?.replicas).toBe(2);
    expect(cart.spec?.template.spec?.containers[0]?.image).toBe('reg.io/cart:3.1.0');

    const kc = new k8s.KubeConfig();
    kc.loadFromString(await readFile(kubeconfig, 'utf8'));
    kc.setCurrentContext('eu-west');
    const checkout = await kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name: 'checkout', namespace: 'shop' });
    expect(checkout.spec?.template.spec?.containers[0]?.image).toBe('registry.example.com/shop/checkout:1.0.0');

    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
  });
});
