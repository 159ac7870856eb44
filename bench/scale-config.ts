/**
 * Config directory for the scale benchmark: N services on one plan — a canary without gates
 * (bake 0s) then one wave of the watched regions, all in parallel, with a long bake and two
 * gates (error rate, p90 latency) against one real Prometheus scraping the simulator.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BENCH_AUTH } from './token.js';

export const SCALE_NAMESPACE = 'bench';
export const scaleImage = (service: string, version: string) => `registry.example.com/${SCALE_NAMESPACE}/${service}:${version}`;

const SEL = 'region="{{region}}", deployment="{{service}}", version="{{version}}"';
export const SCALE_GATES = (interval: string) => [
  {
    name: 'error-rate',
    query: `sum(rate(sim_http_requests_total{${SEL}, code="500"}[{{window}}])) / sum(rate(sim_http_requests_total{${SEL}}[{{window}}]))`,
    condition: '< 0.05',
    interval,
    window: '1m',
  },
  {
    name: 'p90-latency',
    query: `histogram_quantile(0.9, sum by (le) (rate(sim_http_request_duration_seconds_bucket{${SEL}}[{{window}}])))`,
    condition: '< 2',
    interval,
    window: '1m',
  },
];

export interface ScaleConfigParams {
  simulatorUrl: string;
  prometheusUrl: string;
  services: string[];
  canary: string;
  wave: string[];
  bake: string;
  gateInterval: string;
  workerConcurrency: number;
}

/** Writes tideline.yaml, regions.yaml, services/*.yaml and plans/scale.yaml (JSON is YAML); returns the directory. */
export function writeScaleConfig(p: ScaleConfigParams): string {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-bench-scale-'));
  mkdirSync(join(dir, 'services'));
  mkdirSync(join(dir, 'plans'));
  const json = (file: string, value: unknown) => writeFileSync(join(dir, file), JSON.stringify(value, null, 2));
  json('tideline.yaml', {
    engine: { pollInterval: '500ms', sweepInterval: '30s', workerConcurrency: p.workerConcurrency },
    preflight: { alertQuery: false },
    auth: BENCH_AUTH,
  });
  json('regions.yaml', {
    defaults: { prometheus: { url: p.prometheusUrl, timeout: '10s' } },
    regions: [p.canary, ...p.wave].map((name) => ({
      name,
      kubernetes: { server: `${p.simulatorUrl}/regions/${name}`, skipTLSVerify: true },
    })),
  });
  for (const service of p.services) {
    json(`services/${service}.yaml`, {
      name: service,
      plan: 'scale',
      workloads: [{ namespace: SCALE_NAMESPACE, deployment: service, container: 'app' }],
    });
  }
  json('plans/scale.yaml', {
    name: 'scale',
    defaults: { bake: p.bake, progressDeadline: '10m', onFailure: 'rollback', gates: SCALE_GATES(p.gateInterval) },
    canary: { region: p.canary, bake: '0s', gates: [] },
    waves: [{ name: 'watched', regions: p.wave, maxParallel: p.wave.length }],
  });
  return dir;
}

/** The workers' NODE_OPTIONS as deployed (deploy/base/worker.yaml): the bench runs workers as production does. */
export function deployedWorkerNodeOptions(root: string): string | undefined {
  const doc = parse(readFileSync(join(root, 'deploy/base/worker.yaml'), 'utf8')) as {
    spec: { template: { spec: { containers: Array<{ name: string; env?: Array<{ name: string; value?: string }> }> } } };
  };
  const worker = doc.spec.template.spec.containers.find((c) => c.name === 'worker');
  return worker?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
}
