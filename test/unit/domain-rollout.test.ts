import { describe, expect, it } from 'vitest';
import { judgeRollout, type RolloutObservation, type RolloutVerdict } from '../../libs/domain/src/rollout.js';

const IMAGE = 'registry.example.com/shop/checkout:1.4.2';
const START = 1_700_000_000_000;
const DEADLINE = 600_000; // 10 minutes
const SOON = START + 5_000;

/** A Deployment whose rollout to IMAGE has fully completed. */
const done = (over: Partial<RolloutObservation> = {}): RolloutObservation => ({
  generation: 4,
  observedGeneration: 4,
  desiredReplicas: 3,
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
  progressDeadlineExceeded: false,
  image: IMAGE,
  ...over,
});

const judge = (obs: RolloutObservation, nowMs = SOON): RolloutVerdict => judgeRollout(obs, IMAGE, START, DEADLINE, nowMs);

function failedReason(v: RolloutVerdict): string {
  if (v.kind !== 'failed') throw new Error(`expected failed, got ${JSON.stringify(v)}`);
  return v.reason;
}
function progressingDetail(v: RolloutVerdict): string {
  if (v.kind !== 'progressing') throw new Error(`expected progressing, got ${JSON.stringify(v)}`);
  return v.detail;
}

describe('judgeRollout', () => {
  it('complete when observed and updated = ready = available = replicas = desired', () => {
    expect(judge(done())).toStrictEqual({ kind: 'complete' });
  });

  it('complete when observedGeneration is ahead of generation', () => {
    expect(judge(done({ observedGeneration: 5 }))).toStrictEqual({ kind: 'complete' });
  });

  it('complete for a Deployment scaled to zero once observed', () => {
    expect(judge(done({ desiredReplicas: 0, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0 }))).toStrictEqual({
      kind: 'complete',
    });
  });

  it('a complete rollout is complete even when judged after the deadline', () => {
    expect(judge(done(), START + DEADLINE * 10)).toStrictEqual({ kind: 'complete' });
  });

  it('the image is not checked when the observation does not carry one', () => {
    expect(judge(done({ image: undefined }))).toStrictEqual({ kind: 'complete' });
  });

  it('not complete before the controller observed the new generation, even if counts look done', () => {
    const detail = progressingDetail(judge(done({ observedGeneration: 3 })));
    expect(detail).toContain('waiting for the controller to observe generation 4');
  });

  it.each<[string, Partial<RolloutObservation>]>([
    ['updated short', { updatedReplicas: 2 }],
    ['ready short', { readyReplicas: 2 }],
    ['available short', { availableReplicas: 2 }],
    ['old replicas still around (replicas > desired)', { replicas: 4 }],
    ['surge pod running (replicas > desired, all new ready)', { replicas: 5, updatedReplicas: 3 }],
    ['replicas below desired', { replicas: 2 }],
  ])('not complete: %s', (_label, over) => {
    const v = judge(done(over));
    expect(v.kind).toBe('progressing');
  });

  it('progressing detail reports the counts once observed', () => {
    const detail = progressingDetail(judge(done({ updatedReplicas: 2, readyReplicas: 1, availableReplicas: 0, replicas: 4 })));
    expect(detail).toBe('updated 2, ready 1, available 0 of 3');
  });

  it('ProgressDeadlineExceeded on the observed generation fails the rollout', () => {
    const reason = failedReason(judge(done({ readyReplicas: 1, progressDeadlineExceeded: true })));
    expect(reason).toContain('progress deadline');
    expect(reason).toContain('ProgressDeadlineExceeded');
  });

  it('ProgressDeadlineExceeded carries the controller message when there is one', () => {
    const reason = failedReason(
      judge(done({ readyReplicas: 1, progressDeadlineExceeded: true, message: 'ReplicaSet "checkout-7d9" has timed out progressing.' })),
    );
    expect(reason).toContain('ReplicaSet "checkout-7d9" has timed out progressing.');
  });

  it('a stale ProgressDeadlineExceeded from before our generation was observed does not fail it', () => {
    const v = judge(done({ observedGeneration: 3, readyReplicas: 1, progressDeadlineExceeded: true }));
    expect(v.kind).toBe('progressing');
  });

  it('fails once the deadline measured from our patch has passed, with the counts in the reason', () => {
    const obs = done({ updatedReplicas: 2, readyReplicas: 1, availableReplicas: 0 });
    expect(judge(obs, START + DEADLINE - 1).kind).toBe('progressing');
    const reason = failedReason(judge(obs, START + DEADLINE + 1));
    expect(reason).toContain('600s');
    expect(reason).toContain('updated 2, ready 1, available 0 of 3');
  });

  it('the deadline also fails a rollout the controller never observed', () => {
    const reason = failedReason(judge(done({ observedGeneration: 3 }), START + DEADLINE + 60_000));
    expect(reason).toContain('did not complete within 600s');
  });

  it('the deadline is measured from startedAtMs, not from epoch 0', () => {
    const obs = done({ readyReplicas: 0 });
    expect(judgeRollout(obs, IMAGE, START, DEADLINE, START + 1_000).kind).toBe('progressing');
    expect(judgeRollout(obs, IMAGE, START - DEADLINE - 1, DEADLINE, START).kind).toBe('failed');
  });

  it('fails when the workload runs another image, naming both', () => {
    const other = 'registry.example.com/shop/checkout:9.9.9';
    const reason = failedReason(judge(done({ image: other })));
    expect(reason).toContain(other);
    expect(reason).toContain(IMAGE);
  });

  it('a wrong image fails even while the rollout is still progressing', () => {
    const v = judge(done({ image: 'nginx:1.25', updatedReplicas: 1 }));
    expect(v.kind).toBe('failed');
  });
});
