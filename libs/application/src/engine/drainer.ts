/**
 * The `drain` failure policy: move a failed region's traffic away through its traffic
 * provider, verify the drain by the region's request rate (Prometheus) falling below a
 * fraction of its pre-drain rate (the rule in libs/domain/src/drain.ts, shared with region
 * operations), then let the rollback run; after the rollback, put the region's weight back.
 * A drain never holds a rollback longer than the drain timeout.
 */
import { ENGINE_ACTOR, formatPromDuration, judgeDrain, moveTarget, targetVars } from '#domain';
import type { DrainRecord, ReleaseRecord, TargetRecord } from '#persistence';
import type { Logger, MetricsSources, TrafficProviders } from '../ports.js';
import { requestRate } from './request-rate.js';
import { describeError } from '../errors.js';
import { emptyChange, pushTargetMove, type StepChange } from './step-change.js';

export interface DrainSettings {
  rateQuery?: string;
  drainedFraction: number;
  drainTimeoutMs: number;
  windowMs: number;
  timeoutMs: number;
}

export class Drainer {
  constructor(
    private readonly traffic: TrafficProviders,
    private readonly metrics: MetricsSources,
    private readonly settingsFor: (region: string) => DrainSettings,
    private readonly log: Logger,
  ) {}

  /**
   * Draining targets without a drain record: note the weight to restore later and the rate to
   * compare with, and commit that before the weight is touched (a process killed after setting
   * the weight to 0 would otherwise note 0 as the weight to restore).
   */
  async prepare(release: ReleaseRecord, targets: readonly TargetRecord[], nowMs: number): Promise<StepChange> {
    const change = emptyChange();
    await Promise.all(
      targets.map(async (t) => {
        const provider = this.traffic.forRegion(t.region);
        const drain: DrainRecord = {
          startedAtMs: nowMs,
          previousWeight: null,
          preDrainRate: null,
          lastRate: null,
          drainedAtMs: null,
          note: null,
          weightSetAtMs: null,
        };
        if (!provider) return this.skip(change, t, drain, 'no traffic provider for this region: rolled back without draining', nowMs);
        try {
          drain.previousWeight = await provider.getWeight(t.region);
        } catch (err) {
          this.log.warn(
            { releaseId: release.id, service: release.service, region: t.region, err: describeError(err) },
            'reading the traffic weight failed',
          );
          return this.skip(change, t, drain, `drain failed: ${describeError(err)}; rolled back without draining`, nowMs);
        }
        drain.preDrainRate = await this.rate(release, t, this.settingsFor(t.region));
        change.targets.push({ id: t.id, patch: { drain } });
        change.events.push({
          type: 'region.drain_started',
          actor: ENGINE_ACTOR,
          region: t.region,
          data: { previousWeight: drain.previousWeight, preDrainRate: drain.preDrainRate },
        });
      }),
    );
    return change;
  }

  /** Prepared drains: set the weight to 0 (safe to repeat). */
  async start(release: ReleaseRecord, targets: readonly TargetRecord[], nowMs: number): Promise<StepChange> {
    const change = emptyChange();
    await Promise.all(
      targets.map(async (t) => {
        const drain = { ...t.drain! };
        try {
          await this.traffic.forRegion(t.region)!.setWeight(t.region, 0);
        } catch (err) {
          this.log.warn({ releaseId: release.id, service: release.service, region: t.region, err: describeError(err) }, 'drain failed');
          return this.skip(change, t, drain, `drain failed: ${describeError(err)}; rolled back without draining`, nowMs);
        }
        change.targets.push({ id: t.id, patch: { drain: { ...drain, weightSetAtMs: nowMs } } });
      }),
    );
    return change;
  }

  private skip(change: StepChange, t: TargetRecord, drain: DrainRecord, note: string, nowMs: number): void {
    const move = moveTarget(t, 'drained', { type: 'region.drained', actor: ENGINE_ACTOR, reason: note });
    pushTargetMove(change, t.id, move, { drain: { ...drain, note, drainedAtMs: nowMs } });
  }

  /** Drains whose weight is set: drained once the rate has fallen (or the timeout passed). */
  async observe(release: ReleaseRecord, targets: readonly TargetRecord[], nowMs: number): Promise<StepChange> {
    const change = emptyChange();
    await Promise.all(
      targets.map(async (t) => {
        const s = this.settingsFor(t.region);
        const drain = { ...t.drain! };
        const rate = await this.rate(release, t, s);
        drain.lastRate = rate;
        const elapsed = nowMs - (drain.weightSetAtMs ?? drain.startedAtMs);
        const verdict = judgeDrain(
          {
            hasRateQuery: s.rateQuery !== undefined,
            preDrainRate: drain.preDrainRate,
            rate,
            elapsedMs: elapsed,
            drainTimeoutMs: s.drainTimeoutMs,
          },
          s.drainedFraction,
        );
        if (verdict.kind === 'waiting') return;
        if (verdict.kind === 'unverifiable') drain.note = verdict.note;
        if (verdict.kind === 'timed_out') {
          drain.note = `drain not verified after ${formatPromDuration(s.drainTimeoutMs)} (rate ${rate ?? 'unknown'} of ${drain.preDrainRate}); rolling back anyway`;
        }
        drain.drainedAtMs = nowMs;
        const move = moveTarget(t, 'drained', {
          type: 'region.drained',
          actor: ENGINE_ACTOR,
          ...(drain.note ? { reason: drain.note } : {}),
          data: { drainMs: elapsed, preDrainRate: drain.preDrainRate, rate },
        });
        pushTargetMove(change, t.id, move, { drain });
      }),
    );
    return change;
  }

  /** Rolled-back targets that were drained: put their weight back (retried until the drain timeout). */
  async restore(release: ReleaseRecord, targets: readonly TargetRecord[], nowMs: number): Promise<StepChange> {
    const change = emptyChange();
    await Promise.all(
      targets.map(async (t) => {
        const drain = t.drain!;
        const provider = this.traffic.forRegion(t.region);
        const weight = drain.previousWeight ?? 100;
        const restored = { ...drain, restoredAtMs: nowMs } as DrainRecord;
        try {
          if (provider && drain.previousWeight !== null) await provider.setWeight(t.region, weight);
          change.targets.push({ id: t.id, patch: { drain: restored } });
          change.events.push({ type: 'region.traffic_restored', actor: ENGINE_ACTOR, region: t.region, data: { weight } });
        } catch (err) {
          const givenUp = nowMs - (t.rolledBackAt?.getTime() ?? nowMs) > this.settingsFor(t.region).drainTimeoutMs;
          this.log.warn(
            { releaseId: release.id, service: release.service, region: t.region, err: describeError(err), givenUp },
            'restoring traffic failed',
          );
          if (givenUp) {
            change.targets.push({ id: t.id, patch: { drain: { ...restored, note: `traffic not restored: ${describeError(err)}` } } });
            change.events.push({
              type: 'region.traffic_restore_failed',
              actor: ENGINE_ACTOR,
              region: t.region,
              reason: describeError(err),
            });
          }
        }
      }),
    );
    return change;
  }

  private async rate(release: ReleaseRecord, t: TargetRecord, s: DrainSettings): Promise<number | null> {
    if (s.rateQuery === undefined) return null;
    return requestRate(this.metrics.forRegion(t.region), s.rateQuery, targetVars(release, t), s.windowMs, s.timeoutMs);
  }
}
