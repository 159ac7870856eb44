/**
 * The dashboard benchmark's world: a config with 200 regions (one service whose plan covers all
 * of them, 20 small services on 3 regions), 1,000 releases created through the API, most of them
 * then ended by SQL (no worker runs), and the big release mid-rollout: canary verified, wave 1
 * half verified and half baking, wave 2 pending behind an approval.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { mapLimit } from './support.js';

export const BIG = 'storefront';
export const SMALL = Array.from({ length: 20 }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`);
export const benchImage = (service: string, version: string) => `registry.example.com/shop/${service}:${version}`;

export function writeDashboardConfig(simulatorUrl: string, regions: string[], tokenEnv: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-bench-dash-'));
  mkdirSync(join(dir, 'services'));
  mkdirSync(join(dir, 'plans'));
  writeFileSync(
    join(dir, 'tideline.yaml'),
    JSON.stringify({ engine: { pollInterval: '1s' }, auth: { tokens: [{ name: 'bench-admin', scopes: ['admin'], tokenEnv }] } }),
  );
  writeFileSync(
    join(dir, 'regions.yaml'),
    JSON.stringify({
      regions: regions.map((name) => ({ name, kubernetes: { server: `${simulatorUrl}/regions/${name}`, skipTLSVerify: true } })),
    }),
  );
  const plans: Record<string, Record<string, unknown>> = {
    [BIG]: {
      defaults: { bake: '10m' },
      canary: { region: regions[0] },
      waves: [
        { name: 'wave-1', regions: regions.slice(1, 100), maxParallel: 50 },
        { name: 'wave-2', regions: regions.slice(100), maxParallel: 50, approval: 'required' },
      ],
    },
  };
  for (const s of SMALL)
    plans[s] = { defaults: { bake: '1m' }, canary: { region: regions[0] }, waves: [{ name: 'rest', regions: regions.slice(1, 3) }] };
  for (const [service, plan] of Object.entries(plans)) {
    writeFileSync(
      join(dir, 'services', `${service}.yaml`),
      JSON.stringify({ name: service, plan: service, workloads: [{ namespace: 'shop', deployment: service, container: service }] }),
    );
    writeFileSync(join(dir, 'plans', `${service}.yaml`), JSON.stringify({ name: service, ...plan }));
  }
  return dir;
}

async function post(apiUrl: string, token: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${apiUrl}/v1/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { id?: string; detail?: string };
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${json.detail ?? ''}`);
  return json.id!;
}

/** 999 small releases + the big one; returns the big release's id. */
export async function seedReleases(apiUrl: string, token: string, pool: pg.Pool, total: number, log: (m: string) => void): Promise<string> {
  const small = Array.from({ length: total - 1 }, (_, i) => ({ service: SMALL[i % SMALL.length]!, n: Math.floor(i / SMALL.length) + 1 }));
  const started = Date.now();
  await mapLimit(small, 6, async ({ service, n }) => {
    await post(apiUrl, token, { service, version: `1.${n}.0`, image: benchImage(service, `1.${n}.0`), releaseNumber: n });
  });
  log(`${small.length} small releases created through the API in ${Date.now() - started} ms`);
  // History: every small release ended (mostly succeeded; some rolled back, failed or cancelled), a few left needing attention.
  await pool.query(
    `UPDATE releases SET
      state = (ARRAY['succeeded','succeeded','succeeded','succeeded','succeeded','succeeded','rolled_back','failed','cancelled','superseded'])[1 + (release_number % 10)],
      state_reason = CASE WHEN release_number % 10 = 6 THEN 'gate error-rate failed in us-east: 0.05 >= 0.01' ELSE NULL END,
      started_at = now() - ((60 - release_number) || ' hours')::interval, created_at = now() - ((60 - release_number) || ' hours')::interval, ended_at = now() - ((60 - release_number) || ' hours')::interval + interval '7 minutes'
    WHERE service <> $1`,
    [BIG],
  );
  const latest = async (service: string) =>
    (await pool.query<{ id: string }>(`SELECT id FROM releases WHERE service = $1 ORDER BY release_number DESC LIMIT 1`, [service]))
      .rows[0]!.id;
  const attention: Array<[string, string, string | null]> = [
    [SMALL[0]!, 'paused', 'region r002 failed: progress deadline exceeded'],
    [SMALL[1]!, 'awaiting_approval', 'stage rest requires approval'],
    [SMALL[2]!, 'rolling_back', 'rollback by ops: latency regression'],
    [SMALL[3]!, 'running', null],
    [SMALL[4]!, 'failed', 'rollback patch refused in r001'],
  ];
  for (const [service, state, reason] of attention) {
    await pool.query(
      `UPDATE releases SET state = $2, state_reason = $3, ended_at = CASE WHEN $2 = 'failed' THEN now() ELSE NULL END, updated_at = now() WHERE id = $1`,
      [await latest(service), state, reason],
    );
  }
  const big = await post(apiUrl, token, { service: BIG, version: '5.0.0', image: benchImage(BIG, '5.0.0'), releaseNumber: 1 });
  await pool.query(
    `UPDATE region_targets SET
       state = CASE WHEN stage_index = 0 THEN 'verified' WHEN stage_index = 1 AND region < 'r050' THEN 'verified' WHEN stage_index = 1 THEN 'baking' ELSE 'pending' END,
       bake_ends_at = CASE WHEN stage_index = 1 AND region >= 'r050' THEN now() + interval '8 minutes' ELSE NULL END,
       verified_at = CASE WHEN stage_index = 0 OR (stage_index = 1 AND region < 'r050') THEN now() ELSE NULL END
     WHERE release_id = $1`,
    [big],
  );
  await pool.query(`UPDATE releases SET state = 'running', stage_index = 1, started_at = now() - interval '20 minutes' WHERE id = $1`, [
    big,
  ]);
  const count = (await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM releases')).rows[0]!.n;
  log(`${count} releases in the database; ${BIG} ${big} mid-rollout in 200 regions`);
  return big;
}

/** One engine-like step in one transaction: a region's state changes and its event is written. */
export async function changeRegion(pool: pg.Pool, releaseId: string, region: string, from: string, to: string): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(`UPDATE region_targets SET state = $3, updated_at = now() WHERE release_id = $1 AND region = $2`, [
      releaseId,
      region,
      to,
    ]);
    await c.query(
      `INSERT INTO release_events (release_id, type, region, from_state, to_state, actor, reason) VALUES ($1, $2, $3, $4, $5, 'tideline', 'bench')`,
      [releaseId, `region.${to}`, region, from, to],
    );
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}
