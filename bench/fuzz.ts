/**
 * The API fuzzer's long run (`npm run fuzz`): a scratch database, a real API process, then
 * FUZZ_RUNS hostile requests (default 20,000) over every operation of /docs/openapi.json with a
 * random seed (or FUZZ_SEED to replay one). Prints requests by status and exits non-zero on the
 * first broken oracle, with the seed to replay it. Env: FUZZ_RUNS, FUZZ_SEED,
 * BENCH_DATABASE_ADMIN_URL, BENCH_REDIS_URL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runFuzz, send } from './fuzz-engine.js';
import { createScratchDb, deleteRedisPrefix, hex, runBench, spawnNode } from './support.js';

const ROOT = resolve(import.meta.dirname, '../..');
const env = process.env;
const RUNS = Number(env.FUZZ_RUNS || 20_000);
const SEED = env.FUZZ_SEED ? Number(env.FUZZ_SEED) : randomBytes(4).readUInt32BE(0) >>> 1;
const ADMIN_URL = env.BENCH_DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
process.env.TIDELINE_FUZZ_TOKEN ??= `fuzz_${hex(16)}`;
const ADMIN = process.env.TIDELINE_FUZZ_TOKEN;
const READ = `fuzz_read_${hex(16)}`;
const image = (v: string) => `registry.example.com/shop/web:${v}`;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/** tideline.yaml, two regions (eu-west drainable), one service `web` (JSON is YAML). */
function writeConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-fuzz-'));
  mkdirSync(join(dir, 'services'));
  mkdirSync(join(dir, 'plans'));
  const json = (file: string, value: unknown) => writeFileSync(join(dir, file), JSON.stringify(value));
  const sha256 = createHash('sha256').update(READ).digest('hex');
  json('tideline.yaml', {
    auth: {
      tokens: [
        { name: 'fuzz', scopes: ['admin'], tokenEnv: 'TIDELINE_FUZZ_TOKEN' },
        { name: 'viewer', scopes: ['read'], sha256 },
      ],
    },
  });
  const server = (r: string) => ({ server: `http://127.0.0.1:1/regions/${r}`, skipTLSVerify: true });
  json('regions.yaml', {
    regions: [
      { name: 'eu-west', kubernetes: server('eu-west'), traffic: { provider: 'simulator', url: 'http://127.0.0.1:1' } },
      { name: 'us-east', kubernetes: server('us-east') },
    ],
  });
  json('services/web.yaml', { name: 'web', plan: 'web', workloads: [{ namespace: 'shop', deployment: 'web', container: 'web' }] });
  json('plans/web.yaml', { name: 'web', canary: { region: 'eu-west' }, waves: [{ name: 'rest', regions: ['us-east'] }] });
  return dir;
}

runBench('fuzz', async (cleanup) => {
  const db = await createScratchDb(ADMIN_URL);
  cleanup.add(`drop ${db.name}`, () => db.drop());
  const prefix = `tideline-fuzz-${hex(4)}`;
  cleanup.add(`delete Redis keys ${prefix}:*`, () => deleteRedisPrefix(REDIS_URL, prefix));
  const dir = writeConfig();
  cleanup.add('remove config dir', async () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const api = await spawnNode(
    'api',
    'dist/apps/api/src/main.js',
    ROOT,
    { DATABASE_URL: db.url, REDIS_URL, TIDELINE_QUEUE_PREFIX: prefix, TIDELINE_CONFIG_DIR: dir, LOG_LEVEL: 'info', PORT: String(port) },
    '"msg":"api listening"',
  );
  cleanup.add('stop api', () => api.stop());
  const base = `http://127.0.0.1:${port}`;
  const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) =>
    JSON.parse(
      (
        await send(base, {
          op: 'setup',
          method: 'POST',
          path,
          headers: admin,
          body: Buffer.from(JSON.stringify(body)),
          caller: 'admin',
          opMethod: 'POST',
          scopes: [],
          validCreate: false,
        })
      ).text,
    ) as Record<string, unknown>;
  const release = await post('/v1/releases', { service: 'web', version: '1.0.0', image: image('1.0.0'), releaseNumber: 1 });
  const drain = (await post('/v1/regions/eu-west/drain', { reason: 'fuzz' })) as { operation: { id: string } };
  console.log(`fuzz: seed ${SEED}, ${RUNS} runs against ${base} (replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npm run fuzz)`);
  try {
    const report = await runFuzz({
      base,
      runs: RUNS,
      seed: SEED,
      apiPid: api.pid,
      query: async (sql, params) => (await db.pool.query(sql, params)).rows,
      ctx: {
        pathValues: { id: String(release.id), region: 'eu-west', operationId: drain.operation.id },
        tokens: { admin: ADMIN, read: READ },
        service: 'web',
        image,
      },
      progress: (line) => console.log(`  ${line}`),
    });
    console.log(
      `fuzz: ${report.sent} requests over ${report.operations} operations in ${(report.ms / 1000).toFixed(1)} s; ${report.creates} valid creates, each stored once`,
    );
    console.log('requests by status:');
    for (const [status, n] of Object.entries(report.byStatus).sort()) console.log(`  ${status}  ${n}`);
    console.log(
      `API RSS: ${report.rssKiB.start} KiB at start, ${report.rssKiB.max} KiB at most, ${report.rssKiB.end} KiB at the end; API problems logged: ${JSON.stringify(api.problems())}`,
    );
  } catch (err) {
    console.error(`API log tail:\n${api.tail()}`);
    throw err;
  }
});
