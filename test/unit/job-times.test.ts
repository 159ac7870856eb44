/** Job wait is measured from when a job was due: BullMQ zeroes a delayed job's `delay` when it promotes it, its options keep it. */
import { describe, expect, it } from 'vitest';
import { jobDueAt } from '#integrations';

describe('jobDueAt', () => {
  it('a promoted delayed job: added + the delay its options asked for', () => {
    expect(jobDueAt({ timestamp: 1_000, delay: 0, opts: { delay: 30_000 } })).toBe(31_000);
  });
  it('a job without a delay is due when added', () => {
    expect(jobDueAt({ timestamp: 1_000, delay: 0, opts: {} })).toBe(1_000);
  });
});
