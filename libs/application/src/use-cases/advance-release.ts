/**
 * One step of a release, run by the worker for a `release.tick` job. The step holds the
 * release's lock (one stepper per release across all workers), ignores stale ticks, moves the
 * release as far as it can right now, commits each phase, then schedules the next tick.
 * Every phase is safe to repeat: a process killed anywhere resumes from what Postgres holds.
 */
import {
  decideStage,
  isTerminalRelease,
  respondToFailure,
  type TargetView,
} from '../../../domain/src/index.js';
import type { Db, ReleaseRecord, ReleaseStore, TargetRecord } from '../../../persistence/src/index.js';
import type { Clock, Logger, TickScheduler } from '../ports.js';
import type { RegionDriver } from './region-driver.js';
import { emptyChange, ENGINE_ACTOR, isEmpty, type StepChange } from './step-change.js';

export interface AdvanceSettings {
  pollIntervalMs: number;
  lockWaitMs: number;
}

export type AdvanceOutcome = 'missing' | 'stale' | 'idle' | 'scheduled' | 'ended';

type StepResult = { changed: true } | { changed: false; wakeInMs: number | null };
const CHANGED: StepResult = { changed: true };
/** After this many phases a tick yields its worker slot (re-enqueued at once) so releases share workers fairly. */
const MAX_PHASES_PER_TICK = 25;

export class AdvanceRelease {
  constructor(
    private readonly db: Db,
    private readonly store: ReleaseStore,
    private readonly driver: RegionDriver,
    private readonly clock: Clock,
    private readonly ticks: TickScheduler,
    private readonly settings: AdvanceSettings,
    private readonly log: Logger,
  ) {}

  execute(job: { releaseId: string; seq: number }): Promise<AdvanceOutcome> {
    return this.db.withLock(`release:${job.releaseId}`, this.settings.lockWaitMs, async () => {
      let release = await this.store.get(job.releaseId);
      if (!release) return 'missing';
      if (release.tickSeq !== job.seq) return 'stale';
      let wakeInMs: number | null = 0;
      for (let i = 0; i < MAX_PHASES_PER_TICK; i++) {
        const result = await this.step(release, await this.store.targets(release.id));
        if (!result.changed) {
          wakeInMs = result.wakeInMs;
          break;
        }
        release = (await this.store.get(release.id))!;
      }
      if (isTerminalRelease(release.state)) {
        await this.startNext(release.service);
        return 'ended';
      }
      if (wakeInMs === null || (release.state !== 'running' && release.state !== 'rolling_back')) return 'idle';
      const seq = await this.store.scheduleTick(release.id, new Date(this.clock.now().getTime() + wakeInMs));
      await this.ticks.enqueueTick(release.id, seq, wakeInMs);
      return 'scheduled';
    });
  }

  /** Start the service's next queued release, if any (the sweeper repeats this if we die first). */
  private async startNext(service: string): Promise<void> {
    const next = await this.store.promoteNextQueued(service);
    if (next) await this.ticks.enqueueTick(next.id, next.tickSeq, 0);
  }

  private async step(release: ReleaseRecord, targets: TargetRecord[]): Promise<StepResult> {
    const nowMs = this.clock.now().getTime();
    if (release.state === 'running') return this.runningStep(release, targets, nowMs);
    if (release.state === 'rolling_back') return this.rollbackStep(release, targets, nowMs);
    return { changed: false, wakeInMs: null };
  }

  private async commit(release: ReleaseRecord, change: StepChange): Promise<StepResult | null> {
    if (isEmpty(change)) return null;
    await this.store.applyStep(release, change);
    return CHANGED;
  }

  private async runningStep(release: ReleaseRecord, targets: TargetRecord[], nowMs: number): Promise<StepResult> {
    const deploying = targets.filter((t) => t.state === 'deploying');
    const phase =
      (await this.commit(release, await this.driver.record(release, deploying.filter((t) => !t.previous), nowMs))) ??
      (await this.commit(release, await this.driver.patch(release, deploying.filter((t) => t.previous && !t.patchedAt), nowMs))) ??
      (await this.commit(release, await this.driver.observeDeploy(release, deploying.filter((t) => t.patchedAt), nowMs)));
    if (phase) return phase;

    const stage = release.plan.stages[release.stageIndex]!;
    const views = targets.map(toView);
    const decision = decideStage(stage, views, nowMs);
    const change = emptyChange();

    if (decision.failed.length > 0) {
      const failed = targets.filter((t) => decision.failed.includes(t.id));
      const reason = failed.map((t) => `region ${t.region} failed: ${t.reason ?? 'unknown reason'}`).join('; ');
      const response = respondToFailure(stage.onFailure, views);
      change.release = { state: response.release, stateReason: reason };
      change.events.push({
        type: response.release === 'paused' ? 'release.paused' : 'release.rolling_back',
        actor: ENGINE_ACTOR,
        fromState: 'running',
        toState: response.release,
        reason,
        data: { policy: stage.onFailure, stage: stage.name },
      });
      for (const id of response.rollBack) {
        const t = targets.find((x) => x.id === id)!;
        change.targets.push({ id, patch: { state: 'rolling_back', rollbackStartedAt: new Date(nowMs) } });
        change.events.push({ type: 'region.rolling_back', actor: ENGINE_ACTOR, region: t.region, fromState: t.state, toState: 'rolling_back' });
      }
      return (await this.commit(release, change))!;
    }

    for (const id of decision.verify) {
      const t = targets.find((x) => x.id === id)!;
      change.targets.push({ id, patch: { state: 'verified', verifiedAt: new Date(nowMs) } });
      change.events.push({ type: 'region.verified', actor: ENGINE_ACTOR, region: t.region, fromState: 'baking', toState: 'verified' });
    }
    if (decision.complete) {
      const next = release.plan.stages[release.stageIndex + 1];
      if (!next) {
        change.release = { state: 'succeeded', stateReason: null, endedAt: new Date(nowMs), nextTickAt: null };
        change.events.push({ type: 'release.succeeded', actor: ENGINE_ACTOR, fromState: 'running', toState: 'succeeded' });
      } else if (next.approval === 'required') {
        change.release = { stageIndex: next.index, state: 'awaiting_approval', stateReason: `stage ${next.name} requires approval` };
        change.events.push({
          type: 'release.awaiting_approval',
          actor: ENGINE_ACTOR,
          fromState: 'running',
          toState: 'awaiting_approval',
          data: { stage: next.name },
        });
      } else {
        // Start the next stage in the same commit: no extra round trip between waves.
        change.release = { stageIndex: next.index };
        change.events.push({ type: 'stage.started', actor: ENGINE_ACTOR, data: { stage: next.name } });
        this.startTargets(change, targets, decideStage(next, views, nowMs).start, nowMs);
      }
    } else {
      this.startTargets(change, targets, decision.start, nowMs);
    }
    const committed = await this.commit(release, change);
    if (committed) return committed;

    const waits: number[] = [];
    if (deploying.length > 0) waits.push(this.settings.pollIntervalMs);
    if (decision.nextBakeEndMs !== null) waits.push(Math.max(0, decision.nextBakeEndMs - nowMs));
    return { changed: false, wakeInMs: waits.length > 0 ? Math.min(...waits) : null };
  }

  private startTargets(change: StepChange, targets: TargetRecord[], ids: string[], nowMs: number): void {
    for (const id of ids) {
      const t = targets.find((x) => x.id === id)!;
      change.targets.push({ id, patch: { state: 'deploying', deployStartedAt: new Date(nowMs) } });
      change.events.push({ type: 'region.deploying', actor: ENGINE_ACTOR, region: t.region, fromState: 'pending', toState: 'deploying' });
    }
  }

  private async rollbackStep(release: ReleaseRecord, targets: TargetRecord[], nowMs: number): Promise<StepResult> {
    const rolling = targets.filter((t) => t.state === 'rolling_back');
    const phase =
      (await this.commit(release, await this.driver.restore(release, rolling.filter((t) => !t.rollbackPatchedAt), nowMs))) ??
      (await this.commit(release, await this.driver.observeRollback(release, rolling.filter((t) => t.rollbackPatchedAt), nowMs)));
    if (phase) return phase;
    if (rolling.length > 0) return { changed: false, wakeInMs: this.settings.pollIntervalMs };

    // Every region to restore is restored (or failed to be): the release ends.
    const leftChanged = targets.filter((t) => t.state === 'failed' || t.state === 'verified' || t.state === 'baking' || t.state === 'deploying');
    const finalState = leftChanged.length > 0 ? 'failed' : 'rolled_back';
    const reason =
      finalState === 'failed'
        ? `${release.stateReason ?? 'rollback'}; not restored: ${leftChanged.map((t) => t.region).join(', ')}`
        : release.stateReason;
    const change: StepChange = {
      release: { state: finalState, stateReason: reason, endedAt: new Date(nowMs), nextTickAt: null },
      targets: targets.filter((t) => t.state === 'pending').map((t) => ({ id: t.id, patch: { state: 'skipped' as const } })),
      events: [{ type: `release.${finalState}`, actor: ENGINE_ACTOR, fromState: 'rolling_back', toState: finalState, reason }],
    };
    return (await this.commit(release, change))!;
  }
}

function toView(t: TargetRecord): TargetView {
  return {
    id: t.id,
    region: t.region,
    stageIndex: t.stageIndex,
    state: t.state,
    bakeEndsAtMs: t.bakeEndsAt?.getTime() ?? null,
    deployStartedAtMs: t.deployStartedAt?.getTime() ?? null,
  };
}
