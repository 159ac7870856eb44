/**
 * `npm run demo`: the region simulator, a real Prometheus scraping it, the API and a worker in
 * one process, a release of `checkout` rolled out canary → waves with its gates evaluated,
 * its progress printed region by region. The API stays up afterwards (pass --exit to stop
 * when the release ends). `--smoke` gives the new version a 5% error rate in eu-central, so
 * wave-2 drains that region and everything is rolled back.
 * Postgres: DATABASE_URL, else embedded PGlite. Redis: REDIS_URL, else a local server, else
 * one started here. Prometheus: the `prometheus` binary (installed from Debian when root).
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startSimulator } from '../apps/simulator/src/server.js';
import { createHttpApp } from '../apps/api/src/http-app.js';
import { startJobWorker } from '../apps/worker/src/worker-app.js';
import { buildContainer } from '#runtime';
import { DemoCleanup } from './demo-cleanup.js';
import { deleteRedisPrefix } from '../bench/support.js';
import { ensurePrometheusBinary, ensureRedis, freePort } from './demo-services.js';
import { startPrometheus } from './prometheus.js';
import { seedDemoHistory, showHistory } from './demo-history.js';

const exitWhenDone = process.argv.includes('--exit');
const smoke = process.argv.includes('--smoke');
const history = process.argv.includes('--history'); // issue 12: a past to learn from (scripts/demo-history.ts)
const TERMINAL = ['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded'];
const started = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
const cleanup = new DemoCleanup();
cleanup.handleSignals(say);

const regions = ['us-west', 'us-east', 'eu-west', 'eu-central', 'ap-south'];
const sim = await startSimulator({ regions, port: await freePort(Number(process.env.SIM_PORT ?? 7070)), stepMs: 300 });
cleanup.add('the simulator', () => sim.close());
say(`region simulator: ${regions.length} regions at ${sim.url}`);

const promBinary = ensurePrometheusBinary();
if (!promBinary.ok) {
  console.error(`demo: ${promBinary.message}`);
  await cleanup.exit(1);
}
// The API's port is chosen now, so Prometheus scrapes Tideline's own /metrics too.
const port = await freePort(Number(process.env.PORT ?? 8080));
const prom = await startPrometheus({
  scrapeTargets: [new URL(sim.url).host],
  tidelineTargets: [`127.0.0.1:${port}`],
  port: await freePort(Number(process.env.PROMETHEUS_PORT ?? 9090)),
  binary: (promBinary as { path: string }).path,
});
cleanup.add('prometheus', () => prom.close());
say(`prometheus: ${prom.url}, scraping the simulator every second and Tideline's /metrics (waiting for the first samples…)`);
await prom.waitFor('count(sum by (region) (rate(sim_http_requests_total[5s])) > 0)', (s) => (s[0]?.value ?? 0) >= regions.length, 60_000);

const redis = await ensureRedis(process.env).catch(async (err: Error) => {
  console.error(`demo: ${err.message}`);
  return cleanup.exit(1);
});
cleanup.add('redis', () => redis.stop());
say(`redis: ${redis.url} (${redis.how})`);
say(process.env.DATABASE_URL ? 'postgres: DATABASE_URL' : 'postgres: embedded PGlite (in memory; set DATABASE_URL to use a server)');

// config/tideline.yaml names TIDELINE_ADMIN_TOKEN for its admin token: make one up for the demo.
const token = process.env.TIDELINE_ADMIN_TOKEN || `tl_demo_${randomBytes(18).toString('base64url')}`;
const auth = { authorization: `Bearer ${token}` };
// The demo's own queue prefix is deleted from Redis at the end; one given by the user is left alone.
const queuePrefix = process.env.TIDELINE_QUEUE_PREFIX ?? `tideline-demo-${process.pid}`;
if (!process.env.TIDELINE_QUEUE_PREFIX) cleanup.add('redis keys', () => deleteRedisPrefix(redis.url, queuePrefix));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  TIDELINE_ADMIN_TOKEN: token,
  SIMULATOR_URL: sim.url,
  PROMETHEUS_URL: prom.url,
  REDIS_URL: redis.url,
  PORT: String(port),
  TIDELINE_CONFIG_DIR: process.env.TIDELINE_CONFIG_DIR ?? resolve(import.meta.dirname, '../../config'),
  TIDELINE_QUEUE_PREFIX: queuePrefix,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
const c = await buildContainer('tideline-demo', 'all', env);
cleanup.add('database and queues', () => c.close());
const app = await createHttpApp(c, { shutdownHooks: false });
cleanup.add('API', () => app.close());
await app.listen(port, '127.0.0.1');
const worker = await startJobWorker(c);
cleanup.add('worker', () => worker.close());
const api = `http://127.0.0.1:${port}`;
say(`API: ${api}  (config: ${c.settings.configDir})`);
if (history) await seedDemoHistory(c.db, 'checkout', ['us-west', 'us-east', 'eu-west', 'eu-central', 'ap-south'], say);

const version = smoke ? '1.2.0' : '1.1.0';
if (smoke) {
  sim.injectVersionFault({ version, regions: ['eu-central'], errorRate: 0.05 });
  say(`--smoke: version ${version} will answer 5% errors in eu-central`);
}
const res = await fetch(`${api}/v1/releases`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...auth },
  body: JSON.stringify({
    service: 'checkout',
    version,
    image: `registry.example.com/shop/checkout:${version}`,
    releaseNumber: Math.floor(Date.now() / 1000) % 2_000_000_000,
    requestedBy: 'demo',
  }),
});
const release = (await res.json()) as { id: string; state: string; stages: Array<{ name: string; regions: Array<{ region: string }> }> };
if (res.status >= 400) {
  console.error('demo: could not create the release:', JSON.stringify(release));
  await cleanup.exit(1);
}
say(
  `release ${release.id}: checkout ${version}, plan ${release.stages.map((s) => `${s.name}[${s.regions.map((r) => r.region).join(',')}]`).join(' → ')}`,
);
say(`dashboard: ${api}/releases/${release.id} (sign in with the admin token: TIDELINE_ADMIN_TOKEN, or the one printed at the end)`);

let after = '0';
let state = release.state;
// With --exit the demo is a check (CI, the tests): it never waits forever. A release that has
// not ended by the deadline is reported with where each region stands, and the demo exits 1.
const deadlineMs = Date.now() + Number(process.env.DEMO_DEADLINE_SECONDS ?? 600) * 1000;
let lastNewsMs = Date.now();
while (!TERMINAL.includes(state)) {
  const events = (await (await fetch(`${api}/v1/releases/${release.id}/events?after=${after}`, { headers: auth })).json()) as {
    items: Array<{ id: string; type: string; region: string | null; reason: string | null; data: Record<string, unknown> | null }>;
  };
  if (events.items.length > 0) lastNewsMs = Date.now();
  for (const e of events.items) {
    after = e.id;
    const where = e.region ? `${e.region.padEnd(11)}` : ''.padEnd(11);
    const extra =
      e.type === 'stage.started'
        ? String(e.data?.stage)
        : e.type === 'region.drained'
          ? `in ${e.data?.drainMs} ms ${e.reason ?? ''}`
          : (e.reason ?? '');
    say(`${where} ${e.type.padEnd(24)} ${extra}`);
  }
  const now = (await (await fetch(`${api}/v1/releases/${release.id}`, { headers: auth })).json()) as ReleaseNow;
  state = now.state;
  if (TERMINAL.includes(state)) break;
  if (Date.now() - lastNewsMs >= 30_000) {
    say(`no news for 30 s: ${describeNow(now)}`);
    lastNewsMs = Date.now();
  }
  if (exitWhenDone && Date.now() > deadlineMs) {
    console.error(`demo: the release has not ended within DEMO_DEADLINE_SECONDS: ${describeNow(now)}`);
    await cleanup.exit(1);
  }
  await new Promise((r) => setTimeout(r, 250));
}
const final = (await (await fetch(`${api}/v1/releases/${release.id}`, { headers: auth })).json()) as {
  state: string;
  stateReason: string | null;
  stages: Array<{ regions: Array<{ region: string; state: string }> }>;
};
say(`release ${final.state}${final.stateReason ? `: ${final.stateReason}` : ''}`);
for (const r of final.stages.flatMap((s) => s.regions))
  say(`  ${r.region.padEnd(11)} ${r.state.padEnd(12)} runs ${sim.deployment(r.region, 'shop', 'checkout')?.images.checkout}`);
const gates = (await (await fetch(`${api}/v1/releases/${release.id}/gates?limit=1000`, { headers: auth })).json()) as {
  gates: Array<{
    region: string;
    gate: string;
    worstCaseBreachToAction: string;
    status: { lastVerdict: string | null; evaluations: number } | null;
  }>;
  evaluations: Array<{ region: string; gate: string; verdict: string; observed: number | string | null; threshold: string }>;
};
say(`gates (${gates.evaluations.length} evaluations stored; GET ${api}/v1/releases/${release.id}/gates):`);
for (const g of gates.gates) {
  const last = gates.evaluations.filter((e) => e.region === g.region && e.gate === g.gate).at(-1);
  const value = typeof last?.observed === 'number' ? last.observed.toPrecision(3) : (last?.observed ?? '-');
  say(
    `  ${g.region.padEnd(11)} ${g.gate.padEnd(12)} ${String(g.status?.lastVerdict ?? 'not run').padEnd(13)} last ${value} (${last?.threshold ?? ''}), ${g.status?.evaluations ?? 0} evaluations, worst-case breach→action ${g.worstCaseBreachToAction}`,
  );
}
if (history) await showHistory(api, auth, 'checkout', say);

if (exitWhenDone) {
  await cleanup.exit(final.state === (smoke ? 'rolled_back' : 'succeeded') ? 0 : 1);
} else {
  say(`the API stays up at ${api}; its admin token is in TIDELINE_ADMIN_TOKEN or was made up for this run:`);
  say(
    `  curl -H 'Authorization: Bearer ${process.env.TIDELINE_ADMIN_TOKEN ? '$TIDELINE_ADMIN_TOKEN' : token}' ${api}/v1/releases   (API description: ${api}/docs). Ctrl-C to stop.`,
  );
  say(`  Tideline's own metrics: ${api}/metrics (Prometheus job "tideline": ${prom.url}/graph?g0.expr=tideline_release_transitions_total)`);
  say(
    `  dashboard: ${api}/releases/${release.id}  — open it and paste the token ${process.env.TIDELINE_ADMIN_TOKEN ? '($TIDELINE_ADMIN_TOKEN)' : token} to sign in`,
  );
}

type ReleaseNow = { state: string; stateReason: string | null; stages: Array<{ regions: Array<{ region: string; state: string }> }> };

/** The release's state and every region's, for a demo that waits longer than it should. */
function describeNow(r: ReleaseNow): string {
  const regions = r.stages.flatMap((s) => s.regions).map((x) => `${x.region} ${x.state}`);
  return `release ${r.state}${r.stateReason ? ` (${r.stateReason})` : ''}; ${regions.join(', ')}`;
}
