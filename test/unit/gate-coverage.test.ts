/** Bake coverage: a region is verified only when passing evaluations observed its whole bake. */
import { describe, expect, it } from 'vitest';
import {
  evaluationReachMs,
  initialGateStatus,
  missingCoverageMs,
  readyToVerify,
  recordVerdict,
  type Evaluation,
  type GateSpec,
  type GateStatus,
  type Verdict,
} from '#domain';

const S = 1000;
const gate = (over: Partial<GateSpec> = {}): GateSpec => ({
  name: 'error-rate',
  query: 'sum(rate(errors[1m]))',
  condition: { kind: 'threshold', op: '<', value: 0.01 },
  intervalMs: 10 * S,
  windowMs: 5 * S,
  failureLimit: 3,
  errorLimit: 5,
  inconclusive: 'pause',
  series: 'all',
  queryTimeoutMs: S,
  ...over,
});
const ev = (verdict: Verdict): Evaluation => ({
  verdict,
  reason: verdict,
  values: [],
  observed: null,
  baseline: null,
  threshold: '< 0.01',
  failingSeries: [],
  evidence: null,
  warnings: [],
  infos: [],
});

const BAKE_START = 1_000_000;
/** Record `verdicts` at the given seconds into the bake; returns the status. */
function run(
  g: GateSpec,
  steps: Array<[number, Verdict]>,
  bakeStart = BAKE_START,
  from: GateStatus = initialGateStatus(g, bakeStart, 60 * S),
): GateStatus {
  let status = from;
  for (const [sec, verdict] of steps) status = recordVerdict(g, status, ev(verdict), bakeStart + sec * S, bakeStart).status;
  return status;
}
const bake = (seconds: number, start = BAKE_START) => ({ startMs: start, endMs: start + seconds * S });
const every = (interval: number, from: number, to: number, verdict: Verdict = 'pass'): Array<[number, Verdict]> => {
  const out: Array<[number, Verdict]> = [];
  for (let t = from; t <= to; t += interval) out.push([t, verdict]);
  return out;
};

describe('bake coverage', () => {
  it('reach: interval + slack (half the interval, ≥ 1s); a {{window}} query reaches as far as its window', () => {
    expect(evaluationReachMs(gate())).toBe(15 * S);
    expect(evaluationReachMs(gate({ intervalMs: S }))).toBe(2 * S);
    expect(evaluationReachMs(gate({ query: 'rate(x[{{window}}])', windowMs: 5 * 60 * S }))).toBe(300 * S);
    expect(evaluationReachMs(gate({ query: 'rate(x[{{ window }}])', windowMs: S }))).toBe(15 * S);
  });

  it('evaluations every interval through the bake cover it; the region is verified at its end', () => {
    const s = run(gate(), every(10, 10, 60));
    expect(s.coverage).toMatchObject({ coveredMs: 60 * S, gaps: [], gapCount: 0 });
    expect(readyToVerify(gate(), s, bake(60))).toEqual({ ready: true });
  });

  it('one late look never covers the bake it missed: no worker for 53s, then a single pass', () => {
    const g = gate({ intervalMs: S, query: 'sum(rate(errors[{{window}}]))', windowMs: 5 * S });
    const s = run(g, [[63, 'pass']]);
    expect(s.coverage).toMatchObject({ coveredMs: 5 * S, gaps: [{ fromMs: BAKE_START, toMs: BAKE_START + 58 * S }], gapCount: 1 });
    const r = readyToVerify(g, s, bake(10));
    expect(r).toMatchObject({ ready: false, evaluateNow: false });
    expect(r).toHaveProperty('uncovered', 'gate error-rate: passing evaluations cover 5s of a 10s bake');
    // the gap extends the bake: five more seconds of passing evaluations
    const later = run(g, every(1, 64, 68), BAKE_START, s);
    expect(missingCoverageMs(later.coverage, bake(10))).toBe(0);
    expect(readyToVerify(g, later, bake(10))).toEqual({ ready: true });
  });

  it('a late tick within the slack leaves no gap; beyond it the gap is counted and the bake extended by it', () => {
    const within = run(gate(), [
      [10, 'pass'],
      [24, 'pass'],
      [34, 'pass'],
      [44, 'pass'],
      [54, 'pass'],
      [64, 'pass'],
    ]);
    expect(within.coverage).toMatchObject({ coveredMs: 64 * S, gapCount: 0 });
    const late = run(gate(), [
      [10, 'pass'],
      [40, 'pass'],
      [50, 'pass'],
      [60, 'pass'],
    ]);
    expect(late.coverage).toMatchObject({ coveredMs: 45 * S, gaps: [{ fromMs: BAKE_START + 10 * S, toMs: BAKE_START + 25 * S }] });
    expect(readyToVerify(gate(), late, bake(60))).toMatchObject({ ready: false });
    expect(
      readyToVerify(
        gate(),
        run(
          gate(),
          [
            [70, 'pass'],
            [75, 'pass'],
          ],
          BAKE_START,
          late,
        ),
        bake(60),
      ),
    ).toEqual({ ready: true });
  });

  it('a {{window}} query whose range covers the missed span leaves no gap', () => {
    const g = gate({ query: 'sum(rate(errors[{{window}}]))', windowMs: 5 * 60 * S, intervalMs: 30 * S });
    const s = run(g, [
      [30, 'pass'],
      [270, 'pass'],
      [300, 'pass'],
    ]);
    expect(s.coverage).toMatchObject({ coveredMs: 300 * S, gapCount: 0 });
    expect(readyToVerify(g, s, bake(300))).toEqual({ ready: true });
  });

  it('errors, inconclusive (pause) and failures below the limit observe nothing: their time is a gap', () => {
    for (const bad of ['error', 'inconclusive', 'fail'] as const) {
      const s = run(gate(), [
        [10, 'pass'],
        [20, bad],
        [30, bad],
        [40, 'pass'],
        [50, 'pass'],
        [60, 'pass'],
      ]);
      expect(s.coverage?.gapCount, bad).toBe(1);
      expect(s.coverage?.coveredMs, bad).toBe(45 * S);
      expect(readyToVerify(gate(), s, bake(60)), bad).toMatchObject({ ready: false });
    }
    // inconclusive under policy pass counts as a pass, so it covers
    const lenient = gate({ inconclusive: 'pass' });
    expect(
      readyToVerify(
        lenient,
        run(lenient, [
          [10, 'pass'],
          [20, 'inconclusive'],
          [30, 'pass'],
          [40, 'pass'],
          [50, 'pass'],
          [60, 'pass'],
        ]),
        bake(60),
      ),
    ).toEqual({ ready: true });
  });

  it('pause and resume: the bake gets the paused time back, and gates running through the pause cover it', () => {
    // 60s bake, paused 30s in the middle: bake ends at 90s
    const s = run(gate(), every(10, 10, 90));
    expect(readyToVerify(gate(), s, bake(90))).toEqual({ ready: true });
    const stoppedAtEighty = run(gate(), every(10, 10, 80));
    expect(readyToVerify(gate(), stoppedAtEighty, bake(90))).toMatchObject({ ready: false });
  });

  it('promote skips time, not evidence: covered up to the promote → verified; a gap still has to be made up', () => {
    const s = run(gate(), every(10, 10, 20));
    expect(readyToVerify(gate(), s, bake(20))).toEqual({ ready: true });
    // promoted at 40s after two errors: the evaluation at the promote covers back to 25s only
    const gap = run(gate(), [
      [10, 'pass'],
      [20, 'error'],
      [30, 'error'],
      [40, 'pass'],
    ]);
    expect(readyToVerify(gate(), gap, bake(40))).toMatchObject({ ready: false });
    expect(
      readyToVerify(
        gate(),
        run(
          gate(),
          [
            [50, 'pass'],
            [55, 'pass'],
          ],
          BAKE_START,
          gap,
        ),
        bake(40),
      ),
    ).toEqual({ ready: true });
  });

  it('evaluations after the bake (watch phase) do not change coverage; a new bake start (retry) starts over', () => {
    const s = run(gate(), every(10, 10, 60));
    const watched = recordVerdict(gate(), s, ev('pass'), BAKE_START + 500 * S, null).status;
    expect(watched.coverage).toEqual(s.coverage);
    const retryStart = BAKE_START + 1000 * S;
    const again = run(gate(), [[10, 'pass']], retryStart, s);
    expect(again.coverage).toMatchObject({ fromMs: retryStart, coveredMs: 10 * S });
    expect(missingCoverageMs(s.coverage, bake(60, retryStart))).toBe(60 * S);
  });

  it('without a bake window only the verdict counts (regions without gates or legacy rows)', () => {
    expect(readyToVerify(gate(), run(gate(), [[70, 'pass']]))).toEqual({ ready: true });
  });
});
