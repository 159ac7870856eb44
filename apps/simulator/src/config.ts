/** Simulator options from environment variables (used by main.ts). */
import { defaultImage } from './deployment.js';
import type { SimulatorDeployment, SimulatorOptions } from './server.js';

export const DEFAULT_REGIONS = ['us-west', 'us-east', 'eu-west', 'eu-central', 'ap-south'];

export type Env = Record<string, string | undefined>;

function int(env: Env, key: string, min: number): number | undefined {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${key} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function num(env: Env, key: string): number | undefined {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${key} must be a number >= 0, got "${raw}"`);
  return n;
}

/** `ns/name:container[=image]`, comma separated. */
export function parseDeployments(spec: string): SimulatorDeployment[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((item) => {
      const m = /^([^/:=\s]+)\/([^/:=\s]+):([^=\s]+)(?:=(\S+))?$/.exec(item);
      if (!m) throw new Error(`SIM_DEPLOYMENTS: "${item}" is not of the form ns/name:container[=image]`);
      const [, namespace = '', name = '', container = '', image] = m;
      return { namespace, name, container, image: image ?? defaultImage(namespace, name) };
    });
}

export function optionsFromEnv(env: Env): SimulatorOptions {
  const regions = (env['SIM_REGIONS'] ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const opts: SimulatorOptions = {
    port: int(env, 'SIM_PORT', 0) ?? 7070,
    host: env['SIM_HOST']?.trim() || '127.0.0.1',
    regions: regions.length > 0 ? regions : DEFAULT_REGIONS,
  };
  const stepMs = int(env, 'SIM_STEP_MS', 0);
  const replicas = int(env, 'SIM_REPLICAS', 0);
  const pds = int(env, 'SIM_PROGRESS_DEADLINE_SECONDS', 1);
  if (stepMs !== undefined) opts.stepMs = stepMs;
  if (replicas !== undefined) opts.replicas = replicas;
  if (pds !== undefined) opts.progressDeadlineSeconds = pds;
  const rps = num(env, 'SIM_RPS');
  const latencyMs = num(env, 'SIM_LATENCY_MS');
  const lbRampMs = int(env, 'SIM_LB_RAMP_MS', 0);
  if (rps !== undefined) opts.rps = rps;
  if (latencyMs !== undefined) opts.latencyMs = latencyMs;
  if (lbRampMs !== undefined) opts.lbRampMs = lbRampMs;
  const routeAcceptMs = int(env, 'SIM_ROUTE_ACCEPT_MS', 0);
  if (routeAcceptMs !== undefined) opts.routeAcceptMs = routeAcceptMs;
  const deployments = env['SIM_DEPLOYMENTS']?.trim();
  if (deployments) opts.deployments = parseDeployments(deployments);
  const token = env['SIM_TOKEN'];
  if (token) opts.token = token;
  return opts;
}
