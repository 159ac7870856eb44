/**
 * Chaos (issue 15): 2 APIs and 2 workers, two services releasing good and bad versions, a
 * random process SIGKILLed every 0.5–1.5 s (a killed worker's replacement is up before the next
 * kill) and Redis restarted empty once (a private
 * redis-server without persistence) until every release has ended. Oracles: every release terminal within the bound; every
 * 2xx create exists exactly once; one effect per intent per region in the simulator's patch
 * log; rollbacks restore what ran before; no transition out of a terminal state; every
 * verified region has passing evaluations covering its bake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationView, EventView, TargetView } from '#view-types';
import { call, type ApiResponse } from '../support/api-client.js';
import { coveredMs, effectsByRegion, TERMINAL_STATES, transitionsAfterTerminal } from '../support/chaos-oracles.js';
import { ERROR_RATE_QUERY, image, REQUESTS_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';
import { startOwnRedis, type OwnRedis } from '../support/own-redis.js';
import { spawnWorker, startApi, type Proc } from '../support/processes.js';

const REGIONS = ['us-west', 'eu-west', 'eu-north', 'ap-south'];
const WAVE = ['eu-west', 'eu-north', 'ap-south'];
/** every release ends within this long after the first create */
const BOUND_MS = 180_000;
const REACH_MS = 5_000; // window 5s > interval 1s + slack 1s
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

interface Planned {
  service: string;
  version: string;
  releaseNumber: number;
  bad: boolean;
}
const PLANNED: Planned[] = [
  { service: 'alpha', version: '2.0.0', releaseNumber: 1, bad: false },
  { service: 'alpha', version: '2.1.0', releaseNumber: 2, bad: true },
  { service: 'alpha', version: '2.2.0', releaseNumber: 3, bad: false },
  { service: 'beta', version: '3.0.0', releaseNumber: 1, bad: false },
  { service: 'beta', version: '3.1.0', releaseNumber: 2, bad: true },
  { service: 'beta', version: '3.2.0', releaseNumber: 3, bad: false },
];

const plan = {
  defaults: {
    bake: '6s',
    progressDeadline: '20s',
    gates: [
      {
        name: 'error-rate',
        query: ERROR_RATE_QUERY,
        condition: '< 0.05',
        interval: '1s',
        window: '5s',
        errorLimit: 20,
        minEvidence: { query: REQUESTS_QUERY, min: 1 },
      },
    ],
  },
  canary: { region: 'us-west' },
  waves: [{ name: 'wave-1', regions: WAVE, maxParallel: 3 }],
};

describe('chaos: SIGKILLs of APIs and workers, Redis restarted empty', () => {
  let env: GateEnv;
  let redis: OwnRedis;
  const apis: Array<Proc & { url: string }> = [];
  const workers: Proc[] = [];

  beforeAll(async () => {
    redis = await startOwnRedis();
    env = await startGateEnv({
      regions: REGIONS,
      services: [
        { service: 'alpha', plan },
        { service: 'beta', plan },
      ],
      simulator: { progressDeadlineSeconds: 20 },
      env: { REDIS_URL: redis.url },
    });
    apis.push(env.api, await startApi(env.env));
    workers.push(env.worker, spawnWorker(env.env));
    // bad versions: alpha's fails at the canary, beta's in one wave region
    env.sim.injectVersionFault({ version: '2.1.0', regions: ['us-west'], errorRate: 0.5 });
    env.sim.injectVersionFault({ version: '3.1.0', regions: ['eu-north'], errorRate: 0.5 });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => p.kill('SIGKILL')));
    await env?.close();
    await redis?.close();
  });

  /** A request through any live API, retried through another while APIs die. */
  async function anyApi<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await call<T>(pick(apis).url, method, path, body, headers);
        if (res.status < 500 || attempt > 200) return res;
      } catch (err) {
        if (attempt > 200) throw err;
      }
      await sleep(100);
    }
  }

  it('every release ends, nothing is lost, done twice, or verified unseen', { timeout: 300_000 }, async () => {
    const started = Date.now();
    const created: Array<{ id: string; planned: Planned }> = [];
    let stop = false;
    let kills = 0;
    let redisRestarts = 0;
    const starting: Array<Promise<void>> = [];
    const startFailures: string[] = [];

    const chaos = (async () => {
      while (!stop) {
        await sleep(300 + Math.random() * 700);
        if (stop) break;
        if (redisRestarts === 0 && Date.now() - started > 15_000) {
          await redis.restart(500);
          redisRestarts++;
          continue;
        }
        kills++;
        if (Math.random() < 0.35 && apis.length > 1) {
          const i = Math.floor(Math.random() * apis.length);
          const dead = apis[i]!;
          apis.splice(i, 1); // never send to a dead API
          await dead.kill('SIGKILL');
          // the replacement joins when ready; the chaos goes on meanwhile (one API is always up)
          starting.push(
            startApi(env.env).then(
              (a) => void apis.push(a),
              (err: Error) => void startFailures.push(err.message.slice(0, 2_000)),
            ),
          );
        } else {
          const i = Math.floor(Math.random() * workers.length);
          await workers[i]!.kill('SIGKILL');
          const next = spawnWorker(env.env);
          workers[i] = next;
          // the next kill comes once this worker is up (else on a loaded machine none ever starts)
          await next.ready.catch(() => undefined);
        }
      }
    })();

    // creates go through the chaos: one service's releases one after another, retried with their key
    await Promise.all(
      ['alpha', 'beta'].map(async (service) => {
        for (const p of PLANNED.filter((x) => x.service === service)) {
          const key = `chaos-${service}-${p.releaseNumber}`;
          const res = await anyApi<{ id: string }>(
            'POST',
            '/v1/releases',
            { service, version: p.version, image: image(service, p.version), releaseNumber: p.releaseNumber },
            { 'idempotency-key': key },
          );
          expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
          created.push({ id: res.body.id, planned: p });
          await sleep(2_000 + Math.random() * 4_000);
        }
      }),
    );

    // every release terminal within the bound
    const finals = new Map<string, { state: string; stages: Array<{ regions: TargetView[] }> }>();
    while (Date.now() - started < BOUND_MS && finals.size < created.length) {
      for (const c of created) {
        if (finals.has(c.id)) continue;
        const r = await anyApi<{ state: string; stages: Array<{ regions: TargetView[] }> }>('GET', `/v1/releases/${c.id}`);
        if (r.status === 200 && TERMINAL_STATES.includes(r.body.state)) finals.set(c.id, r.body);
      }
      await sleep(500);
    }
    stop = true;
    await chaos;
    await Promise.all(starting);
    const pending: string[] = [];
    for (const c of created.filter((x) => !finals.has(x.id))) {
      const r = await anyApi<{ state: string; stateReason: string | null; stages: Array<{ regions: TargetView[] }> }>(
        'GET',
        `/v1/releases/${c.id}`,
      );
      pending.push(
        `${c.planned.service}#${c.planned.releaseNumber} ${r.body.state} (${r.body.stateReason}) ${JSON.stringify(r.body.stages.flatMap((x) => x.regions).map((t) => `${t.region}:${t.state}`))}`,
      );
    }
    expect(pending, `not terminal after ${BOUND_MS}ms; ${kills} kills; API start failures: ${startFailures.join(' | ')}`).toEqual([]);
    console.info(`chaos: ${created.length} releases ended in ${Date.now() - started}ms; ${kills} SIGKILLs, ${redisRestarts} Redis restart`);
    expect(kills).toBeGreaterThanOrEqual(6);
    expect(redisRestarts).toBe(1);
    for (const c of created) {
      expect(finals.get(c.id)!.state, `${c.planned.service} ${c.planned.version}`).toBe(c.planned.bad ? 'rolled_back' : 'succeeded');
    }

    // every 2xx create exists exactly once
    for (const service of ['alpha', 'beta']) {
      const list = await anyApi<{ items: Array<{ id: string; releaseNumber: number }> }>('GET', `/v1/releases?service=${service}&limit=50`);
      const mine = created.filter((c) => c.planned.service === service);
      expect(list.body.items.map((r) => r.id).sort()).toEqual(mine.map((c) => c.id).sort());
    }

    // one effect per intent per region; a rollback restores the effect before it; the final image is the last good one
    const log = env.sim.patchLog();
    for (const service of ['alpha', 'beta']) {
      const effects = effectsByRegion(log, service);
      const mine = created.filter((c) => c.planned.service === service);
      for (const region of REGIONS) {
        const seq = effects.get(region) ?? [];
        // one service's releases run one after another: each one that touched the region
        // patched it once to its image, and a rolled-back one once back to what ran before it
        const expected: string[] = [];
        let running = `${image(service, '1.0.0')}|-`;
        for (const c of [...mine].sort((a, b) => a.planned.releaseNumber - b.planned.releaseNumber)) {
          const forward = `${image(service, c.planned.version)}|${c.id}`;
          if (!seq.includes(forward)) continue;
          expected.push(forward);
          if (finals.get(c.id)!.state === 'rolled_back') expected.push(running);
          else running = forward;
        }
        expect(seq, `${service} in ${region}`).toEqual(expected);
        const lastGood = mine
          .filter((c) => finals.get(c.id)!.state === 'succeeded')
          .sort((a, b) => b.planned.releaseNumber - a.planned.releaseNumber)[0];
        expect(env.sim.deployment(region, 'shop', service)!.images[service], `${service} in ${region}`).toBe(
          image(service, lastGood?.planned.version ?? '1.0.0'),
        );
      }
    }

    for (const c of created) {
      // no transition out of a terminal state
      const events = (await anyApi<{ items: EventView[] }>('GET', `/v1/releases/${c.id}/events?limit=1000`)).body.items;
      expect(transitionsAfterTerminal(events), c.id).toEqual([]);
      // every verified region: passing bake evaluations cover its bake
      const evaluations = (await anyApi<{ evaluations: EvaluationView[] }>('GET', `/v1/releases/${c.id}/gates?limit=1000`)).body
        .evaluations;
      for (const t of finals.get(c.id)!.stages.flatMap((s) => s.regions)) {
        if (!t.verifiedAt) continue;
        const start = Date.parse(t.rolloutCompletedAt!);
        const passes = evaluations
          .filter(
            (e) =>
              e.region === t.region && e.phase === 'bake' && e.verdict === 'pass' && Date.parse(e.evaluatedAt) <= Date.parse(t.verifiedAt!),
          )
          .map((e) => Date.parse(e.evaluatedAt));
        const required = Date.parse(t.bakeEndsAt!) - start;
        expect(coveredMs(passes, start, REACH_MS), `${c.planned.service}#${c.planned.releaseNumber} ${t.region}`).toBeGreaterThanOrEqual(
          required,
        );
      }
    }
  });
});
