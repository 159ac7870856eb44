import { describe, expect, it } from 'vitest';
import {
  initialGateStatus,
  readyToVerify,
  recordVerdict,
  worstCaseBreachToActionMs,
  clearErrorStreak,
  type Evaluation,
  type GateSpec,
  type GateStatus,
  type Verdict,
} from '#domain';

const gate = (over: Partial<GateSpec> = {}): GateSpec => ({
  name: 'error-rate',
  query: 'q',
  condition: { kind: 'threshold', op: '<', value: 0.01 },
  intervalMs: 30_000,
  windowMs: 60_000,
  failureLimit: 2,
  errorLimit: 3,
  inconclusive: 'pause',
  series: 'all',
  queryTimeoutMs: 5_000,
  ...over,
});

const REASONS: Record<Verdict, string> = {
  pass: '0.001 < 0.01',
  fail: '0.052 > 0.01 (error-rate must be < 0.01)',
  inconclusive: 'empty result',
  error: 'query failed: prometheus unreachable at http://prom: ECONNREFUSED',
};
const ev = (verdict: Verdict): Evaluation => ({
  verdict,
  reason: REASONS[verdict],
  values: [],
  observed: verdict === 'fail' ? 0.052 : null,
  baseline: null,
  threshold: '< 0.01',
  failingSeries: [],
  evidence: null,
  warnings: [],
  infos: [],
});

const T0 = 1_000_000;

/** Records verdicts one interval apart; returns the final status and every action. */
function run(g: GateSpec, verdicts: Verdict[], start: GateStatus = initialGateStatus(g, T0, 600_000)) {
  let status = start;
  const actions = verdicts.map((v, i) => {
    const r = recordVerdict(g, status, ev(v), T0 + (i + 1) * g.intervalMs);
    status = r.status;
    return r.action;
  });
  return { status, actions };
}

describe('gate streaks', () => {
  it('the first evaluation is one interval into the bake, or at its end when shorter', () => {
    expect(initialGateStatus(gate(), T0, 600_000).nextDueAtMs).toBe(T0 + 30_000);
    expect(initialGateStatus(gate(), T0, 10_000).nextDueAtMs).toBe(T0 + 10_000);
    expect(initialGateStatus(gate(), T0, 0)).toMatchObject({ nextDueAtMs: T0, evaluations: 0, failed: false, lastVerdict: null });
  });

  it('fails only after failureLimit consecutive failures; a pass resets the streak', () => {
    const g = gate();
    const { status, actions } = run(g, ['fail', 'pass', 'fail', 'fail']);
    expect(actions.map((a) => a.kind)).toEqual(['none', 'none', 'none', 'fail']);
    expect(status).toMatchObject({
      consecutiveFailures: 2,
      failed: true,
      evaluations: 4,
      lastVerdict: 'fail',
      nextDueAtMs: T0 + 5 * 30_000,
    });
    const last = actions[3]!;
    expect(last.kind === 'fail' && last.reason).toContain('gate error-rate failed (2 consecutive, limit 2): 0.052 > 0.01');
  });

  it('errors and inconclusive (pause) leave the failure streak alone', () => {
    const { status, actions } = run(gate(), ['fail', 'error', 'inconclusive', 'fail']);
    expect(actions.at(-1)?.kind).toBe('fail');
    expect(status.consecutiveFailures).toBe(2);
  });

  it('the fail action comes once; the gate stays failed', () => {
    const { status, actions } = run(gate({ failureLimit: 1 }), ['fail', 'fail', 'pass']);
    expect(actions.map((a) => a.kind)).toEqual(['fail', 'none', 'none']);
    expect(status.failed).toBe(true);
    expect(readyToVerify(gate(), status)).toMatchObject({ ready: false, fail: expect.stringContaining('gate error-rate failed') });
  });

  it('errorLimit consecutive errors pause, naming the last error; any other verdict resets', () => {
    const g = gate();
    const { status, actions } = run(g, ['error', 'error', 'pass', 'error', 'error', 'error', 'error']);
    expect(actions.map((a) => a.kind)).toEqual(['none', 'none', 'none', 'none', 'none', 'pause', 'pause']);
    const pause = actions[5]!;
    expect(pause.kind === 'pause' && pause.reason).toBe(`gate error-rate: 3 consecutive errors: ${REASONS.error}`);
    expect(status.consecutiveErrors).toBe(4);
    expect(clearErrorStreak(status).consecutiveErrors).toBe(0);
  });

  it("inconclusive counts as fail under policy 'fail', as pass under 'pass'", () => {
    const asFail = run(gate({ inconclusive: 'fail', failureLimit: 2 }), ['inconclusive', 'inconclusive']);
    expect(asFail.actions.at(-1)).toEqual({ kind: 'fail', reason: expect.stringContaining('inconclusive (policy fail): empty result') });
    const asPass = run(gate({ inconclusive: 'pass' }), ['fail', 'inconclusive', 'fail']);
    expect(asPass.status).toMatchObject({ consecutiveFailures: 1, failed: false });
  });

  it('worst case from a breach to the action: interval × failureLimit + one query', () => {
    expect(worstCaseBreachToActionMs(gate())).toBe(30_000 * 2 + 5_000);
  });
});

describe('readyToVerify at the end of the bake', () => {
  const after = (g: GateSpec, verdicts: Verdict[]) => readyToVerify(g, run(g, verdicts).status);

  it('asks for an evaluation when there was none', () => {
    expect(readyToVerify(gate(), initialGateStatus(gate(), T0, 1_000))).toEqual({ ready: false, evaluateNow: true });
  });

  it('last pass → ready', () => {
    expect(after(gate(), ['fail', 'pass'])).toEqual({ ready: true });
  });

  it('inconclusive: pass → ready, pause → pause with reason, fail (below limit) → wait', () => {
    expect(after(gate({ inconclusive: 'pass' }), ['inconclusive'])).toEqual({ ready: true });
    expect(after(gate(), ['pass', 'inconclusive'])).toEqual({
      ready: false,
      pause: 'gate error-rate inconclusive at the end of the bake: empty result',
    });
    expect(after(gate({ inconclusive: 'fail' }), ['inconclusive'])).toEqual({ ready: false, evaluateNow: false });
  });

  it('a failure or an error below its limit → wait for the next evaluation', () => {
    expect(after(gate(), ['fail'])).toEqual({ ready: false, evaluateNow: false });
    expect(after(gate(), ['error'])).toEqual({ ready: false, evaluateNow: false });
  });

  it('errors at the limit → pause; failed → fail', () => {
    expect(after(gate(), ['error', 'error', 'error'])).toMatchObject({
      ready: false,
      pause: expect.stringContaining('3 consecutive errors'),
    });
    expect(after(gate(), ['fail', 'fail'])).toMatchObject({ ready: false, fail: expect.stringContaining('error-rate') });
  });
});
