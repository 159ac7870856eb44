/**
 * Bake coverage end to end (issue 15 A): no worker runs during the canary's bake (SIGKILLed as
 * the bake starts, another started after the bake would have ended). The region must not be
 * verified on the single late evaluation: its gate keeps evaluating until passing evaluations
 * cover a whole bake's length, and the gates API shows the gap and the coverage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api-client.js';
import { ERROR_RATE_QUERY, regionState, REQUESTS_QUERY, startGateEnv, type GateEnv } from '../support/gate-env.js';
import { startWorker, type Proc } from '../support/processes.js';

const BAKE_MS = 8_000;
const REACH_MS = 3_000; // window 3s > interval 1s + slack 1s
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CoverageView {
  bakeFrom: string;
  bakeTo: string;
  coveredMs: number;
  requiredMs: number;
  missingMs: number;
  gaps: Array<{ from: string; to: string; ms: number }>;
  gapCount: number;
}

describe('a region is verified only on evaluations that cover its bake', () => {
  let env: GateEnv;
  let late: Proc | undefined;

  beforeAll(async () => {
    env = await startGateEnv({
      regions: ['us-west', 'us-east'],
      services: [
        {
          service: 'cover',
          plan: {
            defaults: {
              bake: '8s',
              progressDeadline: '8s',
              gates: [
                {
                  name: 'error-rate',
                  query: ERROR_RATE_QUERY,
                  condition: '< 0.01',
                  interval: '1s',
                  window: '3s',
                  minEvidence: { query: REQUESTS_QUERY, min: 1 },
                },
              ],
            },
            canary: { region: 'us-west' },
            waves: [{ name: 'wave-1', regions: ['us-east'] }],
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await late?.kill('SIGKILL');
    await env?.close();
  });

  it(
    'no worker during the bake: verified only after a whole bake of passing evaluations, the gap shown',
    { timeout: 150_000 },
    async () => {
      const created = await env.create('cover', '2.0.0', 1);
      await env.waitFor(created.id, (r) => regionState(r, 'us-west') === 'baking', 60_000);
      await env.worker.kill('SIGKILL');
      const baking = await env.waitFor(created.id, () => true);
      const target = baking.stages.flatMap((s) => s.regions).find((x) => x.region === 'us-west') as unknown as {
        bakeEndsAt: string;
        rolloutCompletedAt: string;
      };
      const bakeEnd = Date.parse(target.bakeEndsAt);
      // the whole bake passes without a worker, and then some
      while (Date.now() < bakeEnd + 15_000) await sleep(500);
      const restartedAt = Date.now();
      late = await startWorker(env.env);

      const done = await env.waitFor(
        created.id,
        (r) => r.state === 'succeeded' || r.state === 'paused' || r.state === 'rolled_back',
        90_000,
      );
      expect(done.state, JSON.stringify(done)).toBe('succeeded');
      const region = done.stages.flatMap((s) => s.regions).find((x) => x.region === 'us-west') as unknown as { verifiedAt: string };
      const verifiedAt = Date.parse(region.verifiedAt);

      const body = (
        await call<{
          gates: Array<{ region: string; coverage: CoverageView | null }>;
          evaluations: Array<{ region: string; phase: string; verdict: string; evaluatedAt: string }>;
        }>(env.api.url, 'GET', `/v1/releases/${created.id}/gates?region=us-west&limit=1000`)
      ).body;
      const passes = body.evaluations.filter((e) => e.phase === 'bake' && e.verdict === 'pass').map((e) => Date.parse(e.evaluatedAt));
      const afterRestart = passes.filter((t) => t >= restartedAt - 1_000);
      expect(afterRestart.length, JSON.stringify(body.evaluations)).toBeGreaterThanOrEqual(2);
      // the first late evaluation could only observe REACH_MS: verification came a bake's length of evidence later
      const firstLate = Math.min(...afterRestart);
      expect(verifiedAt - firstLate).toBeGreaterThanOrEqual(BAKE_MS - REACH_MS - 50);

      const coverage = body.gates.find((g) => g.region === 'us-west')!.coverage!;
      expect(coverage.requiredMs).toBe(BAKE_MS);
      expect(coverage.coveredMs).toBeGreaterThanOrEqual(coverage.requiredMs);
      expect(coverage.missingMs).toBe(0);
      expect(coverage.gapCount).toBeGreaterThanOrEqual(1);
      const longest = Math.max(...coverage.gaps.map((g) => g.ms));
      expect(longest).toBeGreaterThanOrEqual(15_000);

      const events = (
        await call<{ items: Array<{ type: string; region: string | null; data: Record<string, unknown> | null }> }>(
          env.api.url,
          'GET',
          `/v1/releases/${created.id}/events`,
        )
      ).body.items;
      const verified = events.find((e) => e.type === 'region.verified' && e.region === 'us-west')!;
      expect(verified.data).toMatchObject({ coverage: { 'error-rate': { coveredMs: expect.any(Number) } } });
      // the second region baked with a worker running: covered with no gap
      const east = (
        await call<{ gates: Array<{ region: string; coverage: CoverageView | null }> }>(
          env.api.url,
          'GET',
          `/v1/releases/${created.id}/gates?region=us-east`,
        )
      ).body.gates[0]!.coverage!;
      expect(east.coveredMs).toBeGreaterThanOrEqual(east.requiredMs);
    },
  );
});
