/**
 * CLI entry of the region simulator. Environment: SIM_PORT (7070), SIM_HOST (127.0.0.1),
 * SIM_REGIONS (us-west,us-east,eu-west,eu-central,ap-south), SIM_STEP_MS (500), SIM_REPLICAS (3),
 * SIM_PROGRESS_DEADLINE_SECONDS (600), SIM_DEPLOYMENTS (ns/name:container[=image],...),
 * SIM_TOKEN (bearer token required on the kube API and /lb), SIM_KUBECONFIG (file to write a
 * kubeconfig with one context per region to), SIM_RPS (20: base requests/s of every region),
 * SIM_LATENCY_MS (50: base median latency), SIM_LB_RAMP_MS (2000: load-balancer weight ramp),
 * SIM_ROUTE_ACCEPT_MS (100: the gateway's delay before it reports on an HTTPRoute change).
 * Prometheus metrics are served at /metrics, the load balancer at /lb/regions, the edge
 * cluster (HTTPRoutes) at /edge.
 */
import { writeFile } from 'node:fs/promises';
import { optionsFromEnv } from './config.js';
import { startSimulator } from './server.js';

function log(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...fields, time: new Date().toISOString() })}\n`);
}

async function main(): Promise<void> {
  const opts = optionsFromEnv(process.env);
  const sim = await startSimulator(opts);
  const kubeconfigPath = process.env['SIM_KUBECONFIG'];
  if (kubeconfigPath) await writeFile(kubeconfigPath, `${JSON.stringify(sim.kubeconfig(), null, 2)}\n`, { mode: 0o600 });
  log({
    msg: 'simulator listening',
    url: sim.url,
    regions: sim.regions,
    stepMs: opts.stepMs ?? 500,
    rps: opts.rps ?? 20,
    lbRampMs: opts.lbRampMs ?? 2000,
    auth: opts.token !== undefined,
    ...(kubeconfigPath ? { kubeconfig: kubeconfigPath } : {}),
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log({ msg: 'simulator stopping', signal });
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log({ msg: 'simulator close failed', error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ msg: 'simulator failed to start', error: err instanceof Error ? err.message : String(err) })}\n`,
  );
  process.exit(1);
});
