/**
 * The `region.operation` job: one step of a drain or restore outside any release (PRODUCT.md
 * "Traffic"), requested through RequestRegionOperation. It moves the weight through the
 * region's traffic provider and verifies it by the region's request rate (its rateQuery in its
 * Prometheus; the rule is libs/domain/src/drain.ts, shared with the release drains): a drain
 * is verified when the rate falls below `drainedFraction` of the rate before it, and the time
 * until it fell below 1% (99% drained) is recorded; a restore is verified when the rate is
 * back above half of it. Every step runs under the region's lock and
 * is written to Postgres, so the verification continues whichever process dies.
 */
import { drained99, judgeDrain, judgeRestore } from '#domain';
import type { Db, RegionOperationRecord, RegionOperationStore } from '#persistence';
import type { DrainSettings } from '../engine/drainer.js';
import { requestRate } from '../engine/request-rate.js';
import { describeError } from '../errors.js';
import { LOCK_WAIT_MS, regionLock } from '../locks.js';
import type { Clock, Logger, MetricsSources, RegionOperationScheduler, TrafficProviders } from '../ports.js';

type Step = { patch: Partial<RegionOperationRecord>; nextInMs: number | null };

export class RunRegionOperation {
  constructor(
    private readonly db: Db,
    private readonly ops: RegionOperationStore,
    private readonly traffic: TrafficProviders,
    private readonly metrics: MetricsSources,
    private readonly settingsFor: (region: string) => DrainSettings,
    private readonly scheduler: RegionOperationScheduler,
    private readonly clock: Clock,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  async execute(job: { operationId: string; seq: number }): Promise<string> {
    const first = await this.ops.get(job.operationId);
    if (!first) return 'missing';
    return this.db.withLock(regionLock(first.region), LOCK_WAIT_MS, async () => {
      const op = (await this.ops.get(job.operationId))!;
      if (op.checkSeq !== job.seq) return 'stale';
      if (op.nextCheckAt === null) return 'done';
      const nowMs = this.clock.now().getTime();
      const step = await this.step(op, nowMs);
      const seq = await this.ops.update(op.id, step.patch, step.nextInMs === null ? null : new Date(nowMs + step.nextInMs));
      if (step.nextInMs !== null) await this.scheduler.enqueueRegionOperation(op.id, seq, step.nextInMs);
      const state = step.patch.state ?? op.state;
      if (step.patch.state && step.patch.state !== op.state)
        this.log.info({ region: op.region, operationId: op.id, kind: op.kind, state }, `region ${op.kind}: ${state}`);
      return state;
    });
  }

  private async step(op: RegionOperationRecord, nowMs: number): Promise<Step> {
    const s = this.settingsFor(op.region);
    if (op.state === 'pending') return this.moveWeight(op, s, nowMs);
    const rate = await this.rate(op.region, s);
    const elapsed = nowMs - (op.startedAt?.getTime() ?? nowMs);
    const base: Partial<RegionOperationRecord> = { lastRate: rate };
    const ref = op.preDrainRate;
    const reading = {
      hasRateQuery: s.rateQuery !== undefined,
      preDrainRate: ref,
      rate,
      elapsedMs: elapsed,
      drainTimeoutMs: s.drainTimeoutMs,
    };
    const done = (state: RegionOperationRecord['state'], extra: Partial<RegionOperationRecord> = {}): Step => ({
      patch: { ...base, state, completedAt: new Date(nowMs), verifyMs: elapsed, ...extra },
      nextInMs: null,
    });
    const notVerified = (what: string) => `${what} not verified after ${Math.round(elapsed / 1000)}s: rate ${rate ?? 'unknown'} of ${ref}`;
    if (op.state === 'draining') {
      const verdict = judgeDrain(reading, s.drainedFraction);
      if (verdict.kind === 'unverifiable') return done('unverified', { note: verdict.note });
      if (verdict.kind === 'verified') {
        const reached99 = drained99(rate, ref);
        const step = done('drained', reached99 ? { drain99Ms: elapsed } : {});
        return reached99 ? step : { ...step, nextInMs: this.pollMs }; // keep looking for the 99% mark
      }
      if (verdict.kind === 'timed_out') return done('unverified', { note: notVerified('drain') });
      return { patch: base, nextInMs: this.pollMs };
    }
    if (op.state === 'drained') {
      if (drained99(rate, ref)) return { patch: { ...base, drain99Ms: elapsed }, nextInMs: null };
      if (elapsed >= s.drainTimeoutMs)
        return { patch: { ...base, note: `the rate never fell below 1% of ${ref} within the drain timeout` }, nextInMs: null };
      return { patch: base, nextInMs: this.pollMs };
    }
    if (op.state === 'restoring') {
      const verdict = judgeRestore(reading);
      if (verdict.kind === 'unverifiable') return done('restored', { note: verdict.note });
      if (verdict.kind === 'verified') return done('restored');
      if (verdict.kind === 'timed_out') return done('unverified', { note: notVerified('restore') });
      return { patch: base, nextInMs: this.pollMs };
    }
    return { patch: {}, nextInMs: null };
  }

  /** Ask the provider for the new weight (a drain first notes the weight and rate before it). Retried until the drain timeout. */
  private async moveWeight(op: RegionOperationRecord, s: DrainSettings, nowMs: number): Promise<Step> {
    const provider = this.traffic.forRegion(op.region);
    if (!provider)
      return { patch: { state: 'failed', completedAt: new Date(nowMs), note: 'the region has traffic provider none' }, nextInMs: null };
    const patch: Partial<RegionOperationRecord> = {};
    if (op.kind === 'drain') {
      patch.preDrainRate = op.preDrainRate ?? (await this.rate(op.region, s));
      patch.previousWeight = op.previousWeight ?? (await provider.getWeight(op.region).catch(() => null));
    }
    try {
      await provider.setWeight(op.region, op.targetWeight);
    } catch (err) {
      const note = `traffic provider: ${describeError(err)}`;
      this.log.warn({ region: op.region, operationId: op.id, err: describeError(err) }, `region ${op.kind} failed to move the weight`);
      if (nowMs - op.requestedAt.getTime() >= s.drainTimeoutMs)
        return { patch: { ...patch, state: 'failed', completedAt: new Date(nowMs), note }, nextInMs: null };
      return { patch: { ...patch, note }, nextInMs: Math.max(this.pollMs, 1_000) };
    }
    return {
      patch: {
        ...patch,
        state: op.kind === 'drain' ? 'draining' : 'restoring',
        startedAt: new Date(nowMs),
        note: null,
        lastRate: patch.preDrainRate ?? null,
      },
      nextInMs: this.pollMs,
    };
  }

  private async rate(region: string, s: DrainSettings): Promise<number | null> {
    if (s.rateQuery === undefined) return null;
    try {
      return await requestRate(
        this.metrics.forRegion(region),
        s.rateQuery,
        { region, service: '', namespace: '', version: '', previousVersion: '' },
        s.windowMs,
        s.timeoutMs,
      );
    } catch (err) {
      this.log.warn({ region, err: describeError(err) }, 'region rate query failed');
      return null;
    }
  }
}
