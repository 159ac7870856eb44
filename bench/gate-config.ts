/**
 * Config directory for the gate-reaction benchmark: one service on one plan (canary + one wide
 * wave), every region pointing at the simulator's kube API and at one real Prometheus.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_AUTH } from './token.js';

export const GATE_NAMESPACE = 'bench';
export const GATE_SERVICE = 'web';
export const GATE_CONTAINER = 'app';
export const gateImage = (version: string) => `registry.example.com/${GATE_NAMESPACE}/${GATE_SERVICE}:${version}`;

/** The simulator's request counter for the release's version in the region (as test/support/gate-env.ts has it). */
const SEL = 'region="{{region}}", deployment="{{service}}", version="{{version}}"';
export const ERROR_RATE_QUERY = `sum(rate(sim_http_requests_total{${SEL}, code="500"}[{{window}}])) / sum(rate(sim_http_requests_total{${SEL}}[{{window}}]))`;

export interface GatePlanParams {
  simulatorUrl: string;
  prometheusUrl: string;
  canary: string;
  wave: string[];
  /** durations as config strings, e.g. "60s" */
  canaryBake: string;
  waveBake: string;
  gateInterval: string;
  gateWindow: string;
  threshold: string;
  failureLimit: number;
  pollInterval: string;
  sweepInterval: string;
  workerConcurrency: number;
}

export function gateSpec(p: GatePlanParams) {
  return {
    name: 'error-rate',
    query: ERROR_RATE_QUERY,
    condition: p.threshold,
    interval: p.gateInterval,
    window: p.gateWindow,
    failureLimit: p.failureLimit,
  };
}

/** Writes tideline.yaml, regions.yaml, services/web.yaml and plans/gates.yaml (JSON is YAML); returns the directory. */
export function writeGateConfig(p: GatePlanParams): string {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-bench-gates-'));
  mkdirSync(join(dir, 'services'));
  mkdirSync(join(dir, 'plans'));
  const json = (file: string, value: unknown) => writeFileSync(join(dir, file), JSON.stringify(value, null, 2));
  json('tideline.yaml', {
    engine: { pollInterval: p.pollInterval, sweepInterval: p.sweepInterval, workerConcurrency: p.workerConcurrency },
    auth: BENCH_AUTH,
  });
  json('regions.yaml', {
    defaults: { prometheus: { url: p.prometheusUrl, timeout: '2s' } },
    regions: [p.canary, ...p.wave].map((name) => ({
      name,
      kubernetes: { server: `${p.simulatorUrl}/regions/${name}`, skipTLSVerify: true },
    })),
  });
  json(`services/${GATE_SERVICE}.yaml`, {
    name: GATE_SERVICE,
    plan: 'gates',
    workloads: [{ namespace: GATE_NAMESPACE, deployment: GATE_SERVICE, container: GATE_CONTAINER }],
  });
  json('plans/gates.yaml', {
    name: 'gates',
    defaults: { bake: p.waveBake, progressDeadline: '30s', onFailure: 'rollback', gates: [gateSpec(p)] },
    canary: { region: p.canary, bake: p.canaryBake },
    waves: [{ name: 'wave-1', regions: p.wave, maxParallel: p.wave.length }],
  });
  return dir;
}
