/**
 * Dashboard speed in the real browser (Debian chromium via playwright-core) against the API on
 * loopback: a release page with 200 regions in its plan and the home page, with 1,000 releases
 * in the database, from navigation to interactive (all tiles drawn, actions offered / every
 * group listed); the bundle size (gzip); a region's state change (one engine-like transaction)
 * → the tile's new colour on screen, p50/p99; and the bytes of each stream update.
 *
 *   npm run bench:dashboard          # BENCH_DASH_LOADS=10 BENCH_DASH_CHANGES=60
 *
 * Env: BENCH_DASH_LOADS, BENCH_DASH_CHANGES, BENCH_DATABASE_ADMIN_URL, BENCH_REDIS_URL,
 * CHROMIUM_PATH. Writes bench/results/dashboard-<date>.md. No assertions on speed.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { startSimulator } from '../apps/simulator/src/server.js';
import { freePort } from '../scripts/prometheus.js';
import { launchChromium } from '../scripts/chromium.js';
import { BIG, SMALL, benchImage, changeRegion, seedReleases, writeDashboardConfig } from './dashboard-seed.js';
import { createScratchDb, deleteRedisPrefix, hex, percentile, resultFile, runBench, sleep, spawnNode, type Cleanup } from './support.js';

const env = process.env;
const LOADS = Number(env.BENCH_DASH_LOADS ?? 10);
const CHANGES = Number(env.BENCH_DASH_CHANGES ?? 60);
const ADMIN_URL = env.BENCH_DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const ROOT = resolve(import.meta.dirname, '../..');
const TOKEN_ENV = 'TIDELINE_BENCH_DASH_TOKEN';
const log = (m: string) => console.log(`[bench:dashboard] ${m}`);
const fmt = (ms: number) => `${Math.round(ms)} ms`;

function bundle(): Array<{ file: string; bytes: number; gzip: number }> {
  const dir = join(ROOT, 'dist/dashboard/assets');
  return readdirSync(dir).map((file) => {
    const data = readFileSync(join(dir, file));
    return { file, bytes: data.length, gzip: gzipSync(data, { level: 9 }).length };
  });
}

/** Navigate and return the page's own time from navigation start until `ready` holds (polled every frame). */
type Doc = { querySelectorAll(s: string): { length: number }; querySelector(s: string): unknown };
// Functions, not strings: the dashboard's CSP forbids eval, which a string predicate needs.
const releaseReady = () => {
  const d = (globalThis as unknown as { document: Doc }).document;
  return d.querySelectorAll('.tile').length === 200 && d.querySelector('[data-testid=actions] button[data-action=pause]') !== null;
};
const homeReady = () => {
  const d = (globalThis as unknown as { document: Doc }).document;
  return d.querySelector('[data-testid=group-needs-attention] tr') !== null && d.querySelector('[data-testid=group-ended] tr') !== null;
};

const homeComplete = () => (globalThis as unknown as { document: Doc }).document.querySelector('main[data-complete=true]') !== null;

async function interactive(page: Page, url: string, ready: () => boolean): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(ready, undefined, { timeout: 30_000, polling: 'raf' });
  return page.evaluate('performance.now()') as Promise<number>;
}

/** After `interactive`: the page's time when a further condition holds. */
async function until(page: Page, cond: () => boolean): Promise<number> {
  await page.waitForFunction(cond, undefined, { timeout: 30_000, polling: 'raf' });
  return page.evaluate('performance.now()') as Promise<number>;
}

/** Bytes of each `change` message on a global stream, read with fetch like the dashboard does. */
function measureStream(apiUrl: string, token: string): { sizes: number[]; stop(): void } {
  const sizes: number[] = [];
  const ctrl = new AbortController();
  void (async () => {
    const res = await fetch(`${apiUrl}/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: ctrl.signal });
    let buf = '';
    const dec = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += dec.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const msg = buf.slice(0, i + 2);
        buf = buf.slice(i + 2);
        if (msg.includes('event: change')) sizes.push(Buffer.byteLength(msg));
      }
    }
  })().catch(() => undefined);
  return { sizes, stop: () => ctrl.abort() };
}

async function main(cleanup: Cleanup): Promise<void> {
  const regions = Array.from({ length: 200 }, (_, i) => `r${String(i).padStart(3, '0')}`);
  const token = `tl_bench_${hex(16)}`;
  const prefix = `tlbenchd${hex(4)}`;
  const db = await createScratchDb(ADMIN_URL);
  cleanup.add(`drop database ${db.name}`, () => db.drop());
  cleanup.add(`delete Redis keys ${prefix}:*`, () => deleteRedisPrefix(REDIS_URL, prefix));
  const sim = await startSimulator({
    regions,
    stepMs: 200,
    deployments: [BIG, ...SMALL].map((s) => ({ namespace: 'shop', name: s, container: s, image: benchImage(s, '1.0.0') })),
  });
  cleanup.add('close simulator', () => sim.close());
  const configDir = writeDashboardConfig(sim.url, regions, TOKEN_ENV);
  cleanup.add('remove config dir', async () => rmSync(configDir, { recursive: true, force: true }));
  const port = await freePort();
  const api = await spawnNode(
    'api',
    'dist/apps/api/src/main.js',
    ROOT,
    {
      DATABASE_URL: db.url,
      REDIS_URL,
      TIDELINE_QUEUE_PREFIX: prefix,
      TIDELINE_CONFIG_DIR: configDir,
      LOG_LEVEL: 'info',
      PORT: String(port),
      [TOKEN_ENV]: token,
    },
    '"msg":"api listening"',
  );
  cleanup.add('stop api', () => api.stop());
  const apiUrl = `http://127.0.0.1:${port}`;
  const big = await seedReleases(apiUrl, token, db.pool, 1000, log);
  const detailBytes = Buffer.byteLength(
    await (await fetch(`${apiUrl}/v1/releases/${big}`, { headers: { authorization: `Bearer ${token}` } })).text(),
  );

  const browser = await launchChromium({ width: 1600, height: 1000 });
  cleanup.add('close chromium', () => browser.close());
  const page = await browser.context.newPage();
  await page.goto(`${apiUrl}/`);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=whoami]');

  const releaseMs: number[] = [];
  const homeMs: number[] = [];
  const homeCompleteMs: number[] = [];
  for (let i = 0; i < LOADS + 1; i++) {
    const r = await interactive(page, `${apiUrl}/releases/${big}`, releaseReady);
    const h = await interactive(page, `${apiUrl}/`, homeReady);
    const hc = await until(page, homeComplete);
    if (i === 0) continue; // the first load warms the API's caches and the browser's disk cache
    releaseMs.push(r);
    homeMs.push(h);
    homeCompleteMs.push(hc);
  }
  // where a home load's time goes (the last one): each API call's start and end on the page's clock
  const timings = (await page.evaluate(
    `performance.getEntriesByType('resource').filter((e) => e.name.includes('/v1/')).map((e) => e.name.replace(/^https?:\\/\\/[^/]+/, '') + ' ' + Math.round(e.startTime) + '→' + Math.round(e.responseEnd) + ' ms')`,
  )) as string[];
  log(`home API calls: ${timings.join('; ')}`);
  const loadAvg = loadavg()[0]!.toFixed(1);
  log(
    `release page interactive p50 ${fmt(percentile(releaseMs, 50))}, max ${fmt(Math.max(...releaseMs))}; home p50 ${fmt(percentile(homeMs, 50))}, max ${fmt(Math.max(...homeMs))}; home complete p50 ${fmt(percentile(homeCompleteMs, 50))}`,
  );

  // state change → pixel: an engine-like transaction flips a pending wave-2 region; the browser notes the frame after its tile changes.
  await page.goto(`${apiUrl}/releases/${big}`);
  await page.waitForFunction(releaseReady, undefined, { timeout: 30_000 });
  await page.waitForSelector('.live.on');
  const stream = measureStream(apiUrl, token);
  await sleep(500);
  const pixelMs: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const region = regions[100 + (i % 100)]!;
    const [from, to] = i < 100 ? ['pending', 'deploying'] : ['deploying', 'baking'];
    const seen = page.evaluate(
      `new Promise((resolve) => {
        const tile = document.querySelector('.tile[data-region="${region}"]');
        const obs = new MutationObserver(() => {
          if (tile.getAttribute('data-state') !== '${to}') return;
          obs.disconnect();
          requestAnimationFrame(() => setTimeout(() => resolve(Date.now()), 0));
        });
        obs.observe(tile, { attributes: true, attributeFilter: ['data-state'] });
        setTimeout(() => { obs.disconnect(); resolve(-1); }, 15000);
      })`,
    ) as Promise<number>;
    await sleep(30);
    const t0 = Date.now();
    await changeRegion(db.pool, big, region, from, to);
    const at = await seen;
    if (at < 0) throw new Error(`the change of ${region} to ${to} did not reach the screen in 15 s`);
    pixelMs.push(at - t0);
    await sleep(50 + Math.random() * 150);
  }
  await sleep(1000);
  stream.stop();
  const sizes = stream.sizes;
  log(
    `state change → pixel p50 ${fmt(percentile(pixelMs, 50))}, p99 ${fmt(percentile(pixelMs, 99))}; stream update max ${Math.max(...sizes)} B`,
  );

  const files = bundle();
  const total = files.reduce((a, f) => ({ bytes: a.bytes + f.bytes, gzip: a.gzip + f.gzip }), { bytes: 0, gzip: 0 });
  const date = new Date().toISOString().slice(0, 10);
  const md = `# Dashboard benchmark (${date})

Real browser: Debian chromium (headless, via playwright-core) on loopback against the API process; ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )} at the end (the machine is shared). Database: 1,000 releases (999 of 20 small services, most ended; 5 set to need attention, plus the failures of the last 24 h) and
\`${BIG}\` mid-rollout with **200 regions** in its plan (canary verified, wave 1: 49 verified + 50 baking, wave 2: 100 pending behind an approval).
No worker runs: the page's data is exactly what was seeded.

| measure | p50 | max / p99 | runs |
| --- | --- | --- | --- |
| release page (200 regions): navigation → all 200 tiles and the actions drawn | ${fmt(percentile(releaseMs, 50))} | max ${fmt(Math.max(...releaseMs))} | ${releaseMs.length} |
| home (1,000 releases): navigation → needs-attention and ended groups drawn (from the newest 100) | ${fmt(percentile(homeMs, 50))} | max ${fmt(Math.max(...homeMs))} | ${homeMs.length} |
| home: navigation → every running / needing-attention release listed, however old (6 more list calls) | ${fmt(percentile(homeCompleteMs, 50))} | max ${fmt(Math.max(...homeCompleteMs))} | ${homeCompleteMs.length} |
| state change (commit of target + event) → the tile's new state on screen (next frame) | ${fmt(percentile(pixelMs, 50))} | p99 ${fmt(percentile(pixelMs, 99))} | ${pixelMs.length} |

- Stream update (one \`change\` message: event + release row + changed target) at 200 regions: max **${Math.max(...sizes)} B**, p50 ${percentile(sizes, 50)} B over ${sizes.length} messages (limit: 50 KB).
- Whole release (GET /v1/releases/{id}, 200 regions): ${(detailBytes / 1024).toFixed(1)} KB — loaded once per page; updates are deltas.
- Bundle: ${files.map((f) => `\`${f.file}\` ${(f.bytes / 1024).toFixed(1)} KB (gzip ${(f.gzip / 1024).toFixed(1)} KB)`).join(', ')}; total **${(total.gzip / 1024).toFixed(1)} KB gzip** (${(total.bytes / 1024).toFixed(1)} KB raw). React 19, react-dom, uPlot, fetch-event-source; no CDN.
- Where a home load's time went (last load, page clock, start→end): ${timings.map((t) => `\`${t}\``).join(', ')}; load average ${loadAvg} then.
- "Interactive" = the page's own clock (performance.now() since navigation start) when the condition first holds, polled every animation frame; the first load of each page is a warm-up and not counted.
- State change → pixel: the API polls the events table every 200 ms (one poller per process), so p50 ≈ half a poll + render; the clock is the machine's (browser and bench share it).
`;
  const out = resultFile(join(ROOT, 'bench/results'), 'dashboard', date);
  writeFileSync(out, md);
  log(`results written to ${out}`);
}

runBench('bench:dashboard', main);
