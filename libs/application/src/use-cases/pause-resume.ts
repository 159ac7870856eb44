/**
 * Operator pause and resume (PRODUCT.md "Release lifecycle"). Both hold the release's lock,
 * so they never interleave with an engine step. A pause stops new regions and bake clocks,
 * but the gates of watched regions keep running; resume gives back the remaining bake time,
 * gives errored gates fresh tries, and re-evaluates gates that could not conclude.
 */
import { clearErrorStreak, type GateStatus } from '../../../domain/src/index.js';
import type { Db, ReleaseRecord, ReleaseStore, TargetRecord } from '../../../persistence/src/index.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Clock, TickScheduler } from '../ports.js';
import { pauseChange } from './failure-response.js';
import { emptyChange, type StepChange } from './step-change.js';

export interface ActionInput {
  id: string;
  actor: string;
  reason?: string | undefined;
}

export interface ActionResult {
  release: ReleaseRecord;
  /** what happened, for the answer */
  message: string;
}

const LOCK_WAIT_MS = 20_000;

abstract class ReleaseAction {
  constructor(
    protected readonly db: Db,
    protected readonly store: ReleaseStore,
    protected readonly ticks: TickScheduler,
    protected readonly clock: Clock,
  ) {}

  protected run(input: ActionInput, act: (release: ReleaseRecord, targets: TargetRecord[], nowMs: number) => { change: StepChange; message: string }): Promise<ActionResult> {
    return this.db.withLock(`release:${input.id}`, LOCK_WAIT_MS, async () => {
      const release = await this.store.get(input.id);
      if (!release) throw new NotFoundError('release', input.id);
      const nowMs = this.clock.now().getTime();
      const { change, message } = act(release, await this.store.targets(release.id), nowMs);
      await this.store.applyStep(release, change);
      // Step at once: the engine re-reads the release under the same lock.
      const seq = await this.store.scheduleTick(release.id, new Date(nowMs));
      await this.ticks.enqueueTick(release.id, seq, 0).catch(() => undefined); // the sweeper re-enqueues if Redis is away
      return { release: (await this.store.get(release.id))!, message };
    });
  }
}

export class PauseRelease extends ReleaseAction {
  execute(input: ActionInput): Promise<ActionResult> {
    return this.run(input, (release, _targets, nowMs) => {
      const reason = input.reason ?? `paused by ${input.actor}`;
      const change = pauseChange(release, reason, nowMs, input.actor);
      if (!change) throw new ConflictError(`cannot pause a release that is ${release.state} (only running or awaiting_approval)`);
      return { change, message: 'paused: no new region will be touched and bake clocks are stopped; gates keep running' };
    });
  }
}

export class ResumeRelease extends ReleaseAction {
  execute(input: ActionInput): Promise<ActionResult> {
    return this.run(input, (release, targets, nowMs) => {
      if (release.state !== 'paused') throw new ConflictError(`cannot resume a release that is ${release.state} (only paused)`);
      const pausedMs = release.pausedAt ? Math.max(0, nowMs - release.pausedAt.getTime()) : 0;
      const stage = release.plan.stages[release.stageIndex]!;
      const mine = targets.filter((t) => t.stageIndex === stage.index);
      const toState = stage.approval === 'required' && mine.every((t) => t.state === 'pending') ? 'awaiting_approval' : 'running';
      const change = emptyChange();
      change.release = { state: toState, stateReason: toState === 'awaiting_approval' ? `stage ${stage.name} requires approval` : null, pausedAt: null };
      for (const t of targets) {
        const patch: Partial<TargetRecord> = {};
        if (t.state === 'baking' && t.bakeEndsAt) patch.bakeEndsAt = new Date(t.bakeEndsAt.getTime() + pausedMs);
        if (t.gateStatus) patch.gateStatus = refreshed(t.gateStatus, nowMs);
        if (Object.keys(patch).length > 0) change.targets.push({ id: t.id, patch });
      }
      change.events.push({
        type: 'release.resumed',
        actor: input.actor,
        fromState: 'paused',
        toState,
        reason: input.reason ?? null,
        data: { pausedMs },
      });
      return { change, message: `resumed (${toState}); bake windows extended by ${Math.round(pausedMs / 1000)}s of pause` };
    });
  }
}

/** Fresh error streaks; a gate that ended inconclusive or erroring is evaluated again at once. */
function refreshed(statuses: Record<string, GateStatus>, nowMs: number): Record<string, GateStatus> {
  const out: Record<string, GateStatus> = {};
  for (const [name, status] of Object.entries(statuses)) {
    const cleared = clearErrorStreak(status);
    const again = status.lastVerdict === 'inconclusive' || status.lastVerdict === 'error';
    out[name] = again && !status.failed ? { ...cleared, nextDueAtMs: Math.min(cleared.nextDueAtMs, nowMs) } : cleared;
  }
  return out;
}
