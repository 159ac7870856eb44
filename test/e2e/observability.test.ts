/**
 * Tideline's own metrics and logs: a release whose canary gate fails is rolled back; the
 * worker's and the API's /metrics then show it (transitions, gate verdicts, verdict→action and
 * breach→rollback patch, Kubernetes calls, Prometheus queries, job times, queue depth), with
 * bounded labels only, in a text `promtool check metrics` accepts; every worker log line is
 * JSON and the transitions carry releaseId, service and region.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL } from '../support/api-client.js';
import { ERROR_RATE_QUERY, REQUESTS_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';
import { freePort } from '../support/processes.js';

const REGIONS = ['us-west', 'us-east'];

/** The value of one sample line (`name{labels} value`), or undefined. */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && line.split(' ')[0] !== name) continue;
    const body = line.slice(name.length);
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export function promtool(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

async function text(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('/metrics and JSON logs', () => {
  let env: GateEnv;
  let workerMetrics: string;

  beforeAll(async () => {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' }); // fails the suite early when promtool is missing
    const metricsPort = await freePort();
    workerMetrics = `http://127.0.0.1:${metricsPort}`;
    env = await startGateEnv({
      regions: REGIONS,
      env: { METRICS_PORT: String(metricsPort) },
      services: [
        {
          service: 'obs',
          plan: {
            defaults: {
              bake: '30s',
              progressDeadline: '10s',
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
            waves: [{ name: 'wave-1', regions: ['us-east'] }],
          },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  it('counts a gate-failed rollback with bounded labels, in a text promtool accepts', { timeout: 150_000 }, async () => {
    env.sim.injectVersionFault({ version: '2.0.0', regions: ['us-west'], errorRate: 0.3, afterSeconds: 6 });
    const created = await env.create('obs', '2.0.0', 1);

    // While it runs, the API's gauge (read from Postgres at scrape time) shows it.
    const deadline = Date.now() + 60_000;
    let running: number | undefined;
    while (Date.now() < deadline && running !== 1) {
      running = sample((await text(`${env.api.url}/metrics`)).body, 'tideline_releases', { service: 'obs', state: 'running' });
      if (running !== 1) await new Promise((r) => setTimeout(r, 200));
    }
    expect(running).toBe(1);

    const done = await env.waitFor(created.id, (r) => TERMINAL.includes(r.state), 120_000);
    expect(done.state, JSON.stringify(done)).toBe('rolled_back');

    const worker = await text(`${workerMetrics}/metrics`);
    const api = await text(`${env.api.url}/metrics`);
    for (const m of [worker, api]) {
      expect(m.status).toBe(200);
      expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
      const check = promtool(m.body);
      expect(check.status, check.output).toBe(0);
      expect(m.body).not.toContain(created.id); // never a release id
    }
    const w = worker.body;
    expect(sample(w, 'tideline_release_transitions_total', { service: 'obs', type: 'release.rolled_back' })).toBe(1);
    expect(sample(w, 'tideline_region_steps_total', { region: 'us-west', step: 'restore_patched' })).toBe(1);
    expect(sample(w, 'tideline_gate_evaluations_total', { region: 'us-west', stage: 'canary', verdict: 'fail' })).toBeGreaterThanOrEqual(1);
    expect(sample(w, 'tideline_gate_evaluations_total', { region: 'us-west', stage: 'canary', verdict: 'pass' })).toBeGreaterThanOrEqual(1);
    expect(sample(w, 'tideline_gate_verdict_to_action_seconds_count', { service: 'obs', action: 'rollback' })).toBe(1);
    expect(sample(w, 'tideline_breach_to_rollback_patch_seconds_count', { service: 'obs' })).toBe(1);
    expect(sample(w, 'tideline_kubernetes_requests_total', { region: 'us-west', verb: 'patch', outcome: 'ok' })).toBe(2);
    expect(sample(w, 'tideline_kubernetes_requests_total', { region: 'us-west', verb: 'get', outcome: 'ok' })).toBeGreaterThan(1);
    expect(sample(w, 'tideline_kubernetes_request_duration_seconds_count', { region: 'us-west', verb: 'patch', outcome: 'ok' })).toBe(2);
    expect(sample(w, 'tideline_prometheus_queries_total', { region: 'us-west', outcome: 'ok' })).toBeGreaterThan(1);
    expect(sample(w, 'tideline_job_wait_seconds_count', { queue: 'tideline-releases', job: 'release.tick' })).toBeGreaterThan(1);
    expect(
      sample(w, 'tideline_job_run_seconds_count', { queue: 'tideline-releases', job: 'release.tick', outcome: 'completed' }),
    ).toBeGreaterThan(1);
    expect(sample(w, 'tideline_queue_jobs', { queue: 'tideline-releases', state: 'delayed' })).toBeGreaterThanOrEqual(0);
    // Each process counts what it did: the API created the release, the worker stepped it.
    expect(sample(api.body, 'tideline_release_transitions_total', { service: 'obs', type: 'release.created' })).toBe(1);
    expect(sample(w, 'tideline_release_transitions_total', { service: 'obs', type: 'release.created' })).toBeUndefined();
    expect(sample(api.body, 'tideline_release_transitions_total', { service: 'obs', type: 'release.rolled_back' })).toBeUndefined();

    // Logs: JSON only; each transition at info with releaseId, service and (for a region) region.
    const lines = env.worker
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '');
    const parsed = lines.map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${l}`);
      }
    });
    const patched = parsed.find((l) => l.event === 'region.restore_patched');
    expect(patched).toMatchObject({ level: 30, releaseId: created.id, service: 'obs', region: 'us-west' });
    expect(parsed.find((l) => l.event === 'release.rolled_back')).toMatchObject({ level: 30, releaseId: created.id, service: 'obs' });
    expect(parsed.filter((l) => l.releaseId !== undefined && l.service !== 'obs')).toEqual([]);
  });
});
