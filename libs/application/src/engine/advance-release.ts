/**
 * One step of a release, run by the worker for a `release.tick` job. The step holds the
 * release's lock (one stepper per release across all workers), ignores stale ticks, moves the
 * release as far as it can right now, commits each phase, then schedules the next tick.
 * Every phase is safe to repeat: a process killed anywhere resumes from what Postgres holds.
 */
import { awaitsApproval, decideStage, ENGINE_ACTOR, isTerminalRelease, moveRelease, moveTarget } from '#domain';
import { afterStep, type Db, type ReleaseRecord, type ReleaseStore, type TargetRecord } from '#persistence';
import { releaseLock } from '../locks.js';
import type { Clock, Logger, TickScheduler } from '../ports.js';
import type { Drainer } from './drainer.js';
import { awaitApprovalChange, failureChange, onlyFailures, pauseChange, toView } from './failure-response.js';
import type { GateRunner } from './gate-runner.js';
import type { Preflight } from './preflight.js';
import type { RegionDriver } from './region-driver.js';
import { rollbackPhase } from './rollback-step.js';
import { emptyChange, isEmpty, mergeChanges, type StepChange } from './step-change.js';
import { verifyChange } from './verification.js';

export interface AdvanceSettings {
  pollIntervalMs: number;
  lockWaitMs: number;
}

export type AdvanceOutcome = 'missing' | 'stale' | 'idle' | 'scheduled' | 'ended';

/** A step either committed `change` or has nothing to do for `wakeInMs` (null: until an operator acts). */
type StepResult = { changed: true; change: StepChange } | { changed: false; wakeInMs: number | null };
/** After this many phases a tick yields its worker slot (re-enqueued at once) so releases share workers fairly. */
const MAX_PHASES_PER_TICK = 25;

export class AdvanceRelease {
  constructor(
    private readonly db: Db,
    private readonly store: ReleaseStore,
    private readonly driver: RegionDriver,
    private readonly gates: GateRunner,
    private readonly preflight: Preflight,
    private readonly drainer: Drainer,
    private readonly clock: Clock,
    private readonly ticks: TickScheduler,
    private readonly settings: AdvanceSettings,
    private readonly log: Logger,
  ) {}

  execute(job: { releaseId: string; seq: number }): Promise<AdvanceOutcome> {
    return this.db.withLock(releaseLock(job.releaseId), this.settings.lockWaitMs, async () => {
      // the release and its targets in one round trip
      const loaded = await this.store.getWithTargets(job.releaseId);
      if (!loaded) return 'missing';
      let { release, targets } = loaded;
      if (release.tickSeq !== job.seq) return 'stale';
      let wakeInMs: number | null = 0;
      // targets whose rollout this tick has already looked at (right after patching them)
      const seen = new Set<string>();
      for (let i = 0; i < MAX_PHASES_PER_TICK; i++) {
        const result = await this.step(release, targets, seen);
        if (!result.changed) {
          wakeInMs = result.wakeInMs;
          break;
        }
        // what the commit wrote, under our lock: no need to read it back
        ({ release, targets } = afterStep(release, targets, result.change));
      }
      if (isTerminalRelease(release.state)) {
        await this.startNext(release.service);
        return 'ended';
      }
      if (wakeInMs === null) {
        if (release.nextTickAt !== null) await this.store.clearNextTick(release.id);
        return 'idle';
      }
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

  private async step(release: ReleaseRecord, targets: TargetRecord[], seen: Set<string>): Promise<StepResult> {
    const nowMs = this.clock.now().getTime();
    switch (release.state) {
      case 'running':
        return this.runningStep(release, targets, nowMs, seen);
      case 'rolling_back':
        return this.rollbackStep(release, targets, nowMs);
      case 'paused':
      case 'awaiting_approval':
        return this.holdStep(release, targets, nowMs);
      default:
        return { changed: false, wakeInMs: null };
    }
  }

  private async commit(release: ReleaseRecord, change: StepChange | null): Promise<StepResult | null> {
    if (!change || isEmpty(change)) return null;
    await this.store.applyStep(release, change);
    return { changed: true, change };
  }

  /**
   * Gates of every watched region; a failed gate fails its region, too many errors pause the
   * release. Regions whose bake has ended with no evaluation yet are evaluated now.
   */
  private async gatePhase(
    release: ReleaseRecord,
    targets: TargetRecord[],
    nowMs: number,
  ): Promise<{ result: StepResult | null; nextDueMs: number | null }> {
    const force = new Set(targets.filter((t) => t.state === 'baking' && t.bakeEndsAt && t.bakeEndsAt.getTime() <= nowMs).map((t) => t.id));
    const round = await this.gates.evaluateDue(release, targets, nowMs, force);
    let change = round.pause ? mergeChanges(round.change, pauseChange(release, round.pause, nowMs) ?? emptyChange()) : round.change;
    // A failed gate and its stage's failure policy commit together: the rollback's patches go
    // out right after this one commit, not a whole step later.
    if (change.targets.some((t) => t.patch.state === 'failed')) {
      const after = afterStep(release, targets, change);
      const failure = failureChange(after.release, after.targets, nowMs);
      if (failure) change = mergeChanges(change, failure);
    }
    return { result: await this.commit(release, change), nextDueMs: round.nextDueMs };
  }

  /**
   * Paused or awaiting approval: nothing new is touched and no bake starts or ends, but gates
   * still run, rollouts already sent are still watched for failure, and failures still act.
   */
  private async holdStep(release: ReleaseRecord, targets: TargetRecord[], nowMs: number): Promise<StepResult> {
    const inFlight = targets.filter((t) => t.state === 'deploying' && t.patchedAt);
    const rollouts = await this.commit(release, onlyFailures(await this.driver.observeDeploy(release, inFlight, nowMs)));
    if (rollouts) return rollouts;
    const gates = await this.gatePhase(release, targets, nowMs);
    if (gates.result) return gates.result;
    const failure = await this.commit(release, failureChange(release, targets, nowMs));
    if (failure) return failure;
    const waits = [
      ...(inFlight.length > 0 ? [this.settings.pollIntervalMs] : []),
      ...(gates.nextDueMs === null ? [] : [Math.max(0, gates.nextDueMs - nowMs)]),
    ];
    return { changed: false, wakeInMs: waits.length > 0 ? Math.min(...waits) : null };
  }

  private async runningStep(release: ReleaseRecord, targets: TargetRecord[], nowMs: number, seen: Set<string>): Promise<StepResult> {
    const deploying = targets.filter((t) => t.state === 'deploying');
    const phase =
      (await this.commit(
        release,
        await this.driver.record(
          release,
          deploying.filter((t) => !t.previous),
          nowMs,
        ),
      )) ??
      (await this.commit(release, await this.patchAndObserve(release, targets, deploying, nowMs, seen))) ??
      (await this.commit(
        release,
        await this.driver.observeDeploy(
          release,
          deploying.filter((t) => t.patchedAt && !seen.has(t.id)),
          nowMs,
        ),
      ));
    if (phase) return phase;
    const gates = await this.gatePhase(release, targets, nowMs);
    if (gates.result) return gates.result;
    const failure = await this.commit(release, failureChange(release, targets, nowMs));
    if (failure) return failure;
    if (awaitsApproval(release, targets)) return (await this.commit(release, awaitApprovalChange(release)))!;

    const stage = release.plan.stages[release.stageIndex]!;
    const decision = decideStage(stage, targets.map(toView), nowMs);
    const verification = verifyChange(release, targets, decision.verify, nowMs);
    if (verification.pause) return (await this.commit(release, pauseChange(release, verification.pause, nowMs)))!;
    let change = verification.change;
    const complete = decision.complete && verification.waiting.length === 0;
    const waits: number[] = [];
    if (complete) {
      this.completeStage(release, change, nowMs);
    } else {
      const blockers = await this.startTargets(release, change, targets, decision.start, nowMs);
      if (blockers !== null) waits.push(Math.max(0, blockers - nowMs));
      change = mergeChanges(change, await this.recordStarted(release, targets, change, nowMs));
    }
    const committed = await this.commit(release, change);
    if (committed) return committed;

    if (deploying.length > 0) waits.push(this.settings.pollIntervalMs);
    if (decision.nextBakeEndMs !== null) waits.push(Math.max(0, decision.nextBakeEndMs - nowMs));
    if (gates.nextDueMs !== null) waits.push(Math.max(0, gates.nextDueMs - nowMs));
    return { changed: false, wakeInMs: waits.length > 0 ? Math.min(...waits) : null };
  }

  /**
   * Patch the recorded targets, then look at their rollouts at once: the patch and what was seen
   * commit together. Looking is no side effect, so nothing new is sent before this commit; a
   * worker killed before it re-sends the same patch on resume (idempotent). The targets looked
   * at go into `seen`: the tick's next phases do not look at them again.
   */
  private async patchAndObserve(
    release: ReleaseRecord,
    targets: TargetRecord[],
    deploying: TargetRecord[],
    nowMs: number,
    seen: Set<string>,
  ): Promise<StepChange> {
    const patched = await this.driver.patch(
      release,
      deploying.filter((t) => t.previous && !t.patchedAt),
      nowMs,
    );
    const sent = new Set(patched.targets.filter((t) => t.patch.patchedAt).map((t) => t.id));
    if (sent.size === 0) return patched;
    const after = afterStep(release, targets, patched).targets.filter((t) => sent.has(t.id));
    for (const id of sent) seen.add(id);
    return mergeChanges(patched, await this.driver.observeDeploy(release, after, nowMs));
  }

  /**
   * Record what runs in the regions `change` starts, in the same commit as their start: the
   * record is committed before any of them is patched, one commit sooner.
   */
  private async recordStarted(release: ReleaseRecord, targets: TargetRecord[], change: StepChange, nowMs: number): Promise<StepChange> {
    const started = new Set(change.targets.filter((t) => t.patch.state === 'deploying').map((t) => t.id));
    if (started.size === 0) return emptyChange();
    const after = afterStep(release, targets, change).targets.filter((t) => started.has(t.id) && !t.previous);
    return this.driver.record(release, after, nowMs);
  }

  /** The stage is verified: the release succeeds, waits for approval, or moves to the next stage. */
  private completeStage(release: ReleaseRecord, change: StepChange, nowMs: number): void {
    const next = release.plan.stages[release.stageIndex + 1];
    if (!next) {
      const move = moveRelease(release, 'succeeded', { type: 'release.succeeded', actor: ENGINE_ACTOR });
      change.release = { ...move.patch, stateReason: null, endedAt: new Date(nowMs), nextTickAt: null };
      change.events.push(move.event);
    } else if (next.approval === 'required' && (release.approvedStageIndex ?? -1) < next.index) {
      const wait = awaitApprovalChange({ ...release, stageIndex: next.index });
      change.release = { stageIndex: next.index, ...wait.release };
      change.events.push(...wait.events);
    } else {
      change.release = { stageIndex: next.index, stateReason: null };
      change.events.push({ type: 'stage.started', actor: ENGINE_ACTOR, data: { stage: next.name } });
    }
  }

  /**
   * Start the given pending targets unless a pre-flight blocker holds them; a blocked region
   * waits, with the reason on the region and the release. Returns when to look again.
   */
  private async startTargets(
    release: ReleaseRecord,
    change: StepChange,
    targets: TargetRecord[],
    ids: string[],
    nowMs: number,
  ): Promise<number | null> {
    const candidates = targets.filter((t) => ids.includes(t.id));
    const blocked = candidates.length > 0 ? await this.preflight.check(release, candidates, nowMs) : new Map();
    let retryAtMs: number | null = null;
    const reasons: string[] = [];
    for (const t of candidates) {
      const blocker = blocked.get(t.id);
      if (blocker) {
        retryAtMs = Math.min(retryAtMs ?? Infinity, blocker.retryAtMs);
        reasons.push(`${t.region}: ${blocker.reason}`);
        if (t.blockedReason !== blocker.reason) {
          change.targets.push({ id: t.id, patch: { blockedReason: blocker.reason } });
          change.events.push({ type: 'region.blocked', actor: ENGINE_ACTOR, region: t.region, reason: blocker.reason });
        }
        continue;
      }
      const move = moveTarget(t, 'deploying', { type: 'region.deploying', actor: ENGINE_ACTOR });
      change.targets.push({ id: t.id, patch: { ...move.patch, deployStartedAt: new Date(nowMs), blockedReason: null } });
      if (t.blockedReason)
        change.events.push({ type: 'region.unblocked', actor: ENGINE_ACTOR, region: t.region, reason: `was: ${t.blockedReason}` });
      change.events.push(move.event);
    }
    const stateReason = reasons.length > 0 ? `waiting: ${reasons.join('; ')}` : null;
    if (stateReason !== release.stateReason && (stateReason !== null || release.stateReason?.startsWith('waiting: '))) {
      change.release = { ...change.release, stateReason };
    }
    return retryAtMs;
  }

  private async rollbackStep(release: ReleaseRecord, targets: TargetRecord[], nowMs: number): Promise<StepResult> {
    const phase = await rollbackPhase(this.driver, this.drainer, release, targets, nowMs, this.settings.pollIntervalMs);
    if ('change' in phase) return (await this.commit(release, phase.change))!;
    return { changed: false, wakeInMs: phase.waitMs };
  }
}
