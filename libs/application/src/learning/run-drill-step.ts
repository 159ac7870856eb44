/**
 * The `drill.step` job: one step of a drill, under the drill's lock, committed with its events
 * in one transaction. A drain drill drains the region through a region operation (the same
 * provider and request-rate verification as POST /v1/regions/{region}/drain), keeps its time to
 * 99% drained, then restores it and keeps that time. A rollback drill records what runs, commits
 * it, then puts back what ran before the service's last release (record → commit → patch, like
 * the engine), times the rollout, and rolls forward to what it recorded. Past its deadline a
 * drill is undone at once; any process may die at any step (the sweeper re-enqueues it).
 */
import { judgeRollout, releaseLabels, type RecordedWorkload } from '#domain';
import type { Db, DrillRecord, DrillStore, NewDrillEvent, RegionOperationKind, RegionOperationStore } from '#persistence';
import { ConflictError, describeError } from '../errors.js';
import { WorkloadError, type Clock, type Clusters, type DrillScheduler, type Logger } from '../ports.js';
import type { RequestRegionOperation } from '../use-cases/request-region-operation.js';

const LOCK_WAIT_MS = 20_000;
const STAMPED = Object.keys(releaseLabels({ id: '', version: '', releaseNumber: 0 }));
const FINAL_OP_STATES = new Set(['drained', 'restored', 'unverified', 'failed', 'superseded']);

type Step = { patch: Partial<DrillRecord>; events: NewDrillEvent[]; nextInMs: number | null };

export class RunDrillStep {
  constructor(
    private readonly db: Db,
    private readonly drills: DrillStore,
    private readonly ops: RegionOperationStore,
    private readonly requestOperation: RequestRegionOperation,
    private readonly clusters: Clusters,
    private readonly scheduler: DrillScheduler,
    private readonly clock: Clock,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  async execute(job: { drillId: string; seq: number }): Promise<string> {
    return this.db.withLock(`drill:${job.drillId}`, LOCK_WAIT_MS, async () => {
      const d = await this.drills.get(job.drillId);
      if (!d) return 'missing';
      if (d.checkSeq !== job.seq) return 'stale';
      if (d.nextCheckAt === null) return 'done';
      const nowMs = this.clock.now().getTime();
      let step: Step;
      try {
        step = d.kind === 'drain' ? await this.drainStep(d, nowMs) : await this.rollbackStep(d, nowMs);
      } catch (err) {
        // transient (Kubernetes 5xx, a lock busy…): look again; a permanent error before anything changed ends the drill
        const permanent = err instanceof WorkloadError && err.permanent;
        this.log.warn({ drillId: d.id, region: d.region, phase: d.phase, err: describeError(err), permanent }, 'drill step failed');
        step = permanent
          ? this.permanentFailure(d, describeError(err), nowMs)
          : { patch: { note: describeError(err) }, events: [], nextInMs: Math.max(this.pollMs, 1_000) };
      }
      const seq = await this.drills.update(d.id, step.patch, step.events, step.nextInMs === null ? null : new Date(nowMs + step.nextInMs));
      if (step.nextInMs !== null) await this.scheduler.enqueueDrill(d.id, seq, step.nextInMs);
      if (step.patch.phase && step.patch.phase !== d.phase)
        this.log.info(
          { drillId: d.id, region: d.region, kind: d.kind, phase: step.patch.phase, state: step.patch.state ?? d.state },
          `drill: ${step.patch.phase}`,
        );
      return step.patch.state ?? d.state;
    });
  }

  private next(patch: Partial<DrillRecord>, events: NewDrillEvent[] = [], nextInMs: number | null = 0): Step {
    return { patch, events, nextInMs };
  }

  private event(d: DrillRecord, type: string, data: Record<string, unknown> = {}, reason?: string): NewDrillEvent {
    return { type, actor: d.actor, data: { region: d.region, ...data }, ...(reason ? { reason } : {}) };
  }

  private finish(d: DrillRecord, nowMs: number, patch: Partial<DrillRecord>, reason?: string): Step {
    const merged = { ...d, ...patch };
    const state = merged.state === 'failed' ? 'failed' : merged.undone ? 'aborted' : merged.firstMs === null ? 'failed' : 'succeeded';
    const data = { firstMs: merged.firstMs, secondMs: merged.secondMs, goalMs: d.goalMs, metGoal: merged.metGoal, undone: merged.undone };
    return {
      patch: { ...patch, state, phase: 'done', completedAt: new Date(nowMs) },
      events: [this.event(d, `drill.${state}`, data, reason ?? merged.note ?? undefined)],
      nextInMs: null,
    };
  }

  /** Past the deadline while something is changed: undo now. */
  private undo(d: DrillRecord, phase: DrillRecord['phase'], note: string): Step {
    return this.next({ state: 'undoing', undone: true, phase, note, metGoal: false }, [this.event(d, 'drill.undoing', {}, note)]);
  }

  private permanentFailure(d: DrillRecord, message: string, nowMs: number): Step {
    if (d.phase === 'record') return this.finish(d, nowMs, { state: 'failed', note: message });
    if (d.phase === 'rollback' || d.phase === 'rolling-back')
      return this.undo(d, 'forward', `rollback failed: ${message}; rolling forward`);
    return this.finish(d, nowMs, { state: 'failed', note: `could not undo: ${message}` });
  }

  private overdue(d: DrillRecord, nowMs: number): boolean {
    return nowMs >= d.deadlineAt.getTime();
  }

  /** A release that became active since the drill was accepted: the drill stops before it changes anything. */
  private async releaseStarted(d: DrillRecord): Promise<string | null> {
    const active = await this.drills.activeReleasesIn(d.region, d.service);
    const r = active[0];
    return r ? `release ${r.id} of ${r.service} became ${r.state} before the drill changed anything; nothing was changed` : null;
  }

  // ---- drain drill ----

  private async drainStep(d: DrillRecord, nowMs: number): Promise<Step> {
    switch (d.phase) {
      case 'drain': {
        if (this.overdue(d, nowMs))
          return this.finish(d, nowMs, { undone: true, note: 'the maximum duration passed before the drain began; nothing was changed' });
        const busy = await this.releaseStarted(d);
        if (busy) return this.finish(d, nowMs, { undone: true, note: busy });
        const op = await this.operation(d, 'drain');
        return this.next(
          { drainOperationId: op, phase: 'draining', note: null },
          [this.event(d, 'drill.draining', { operationId: op })],
          this.pollMs,
        );
      }
      case 'draining': {
        const op = (await this.ops.get(d.drainOperationId!))!;
        if (op.drain99Ms !== null) {
          const metGoal = op.drain99Ms <= d.goalMs;
          return this.next({ firstMs: op.drain99Ms, metGoal, phase: 'restore' }, [
            this.event(d, 'drill.drained', { drain99Ms: op.drain99Ms, goalMs: d.goalMs, metGoal, operationId: op.id }),
          ]);
        }
        if (op.nextCheckAt === null && FINAL_OP_STATES.has(op.state)) {
          const note = `the drain ended ${op.state} without reaching 99%${op.note ? `: ${op.note}` : ''}`;
          return this.next({ metGoal: false, phase: 'restore', note }, [
            this.event(d, 'drill.drain_incomplete', { operationId: op.id, state: op.state }, note),
          ]);
        }
        if (this.overdue(d, nowMs)) return this.undo(d, 'restore', 'the maximum duration passed while draining: restoring');
        return this.next({}, [], this.pollMs);
      }
      case 'restore': {
        const op = await this.operation(d, 'restore');
        return this.next(
          { restoreOperationId: op, phase: 'restoring' },
          [this.event(d, 'drill.restoring', { operationId: op })],
          this.pollMs,
        );
      }
      case 'restoring': {
        const op = (await this.ops.get(d.restoreOperationId!))!;
        if (op.state === 'restored') return this.finish(d, nowMs, { secondMs: op.verifyMs, ...(op.note ? { note: op.note } : {}) });
        if (op.nextCheckAt === null && FINAL_OP_STATES.has(op.state))
          return this.finish(d, nowMs, { state: 'failed', note: `traffic restore ended ${op.state}: ${op.note ?? 'no detail'}` });
        return this.next({}, [], this.pollMs);
      }
      default:
        return this.finish(d, nowMs, {});
    }
  }

  /**
   * Ask for the region operation (a drain or restore, verified by the region's request rate). A
   * step killed after the operation was created finds it again by the drill id in its reason.
   */
  private async operation(d: DrillRecord, kind: RegionOperationKind): Promise<string> {
    const tag = `drill ${d.id}`;
    const mine = await this.ops.latest(d.region, kind);
    if (mine?.reason?.startsWith(tag)) return mine.id;
    try {
      return (await this.requestOperation.execute({ region: d.region, kind, actor: d.actor, reason: `${tag}: ${d.reason}` })).id;
    } catch (err) {
      const again = await this.ops.latest(d.region, kind);
      if (err instanceof ConflictError && again?.reason?.startsWith(tag)) return again.id;
      throw err;
    }
  }

  // ---- rollback drill ----

  private async rollbackStep(d: DrillRecord, nowMs: number): Promise<Step> {
    const client = this.clusters.forRegion(d.region);
    switch (d.phase) {
      case 'record': {
        if (this.overdue(d, nowMs))
          return this.finish(d, nowMs, {
            undone: true,
            note: 'the maximum duration passed before the rollback began; nothing was changed',
          });
        const recorded = await Promise.all(d.target!.map((t) => client.snapshot(t.workload)));
        return this.next({ recorded, phase: 'rollback' }, [this.event(d, 'drill.recorded', { images: recorded.map((r) => r.image) })]);
      }
      case 'rollback': {
        const busy = await this.releaseStarted(d);
        if (busy) return this.finish(d, nowMs, { undone: true, note: busy });
        await Promise.all(d.target!.map((t) => client.restore(t, STAMPED)));
        return this.next(
          { phase: 'rolling-back', phaseStartedAt: new Date(nowMs) },
          [this.event(d, 'drill.rollback_patched', { images: d.target!.map((t) => t.image) })],
          this.pollMs,
        );
      }
      case 'rolling-back': {
        const verdict = await this.rollout(d.target!, d, nowMs);
        if (verdict.kind === 'complete') {
          const ms = nowMs - d.phaseStartedAt!.getTime();
          const metGoal = ms <= d.goalMs;
          return this.next({ firstMs: ms, metGoal, phase: 'forward' }, [
            this.event(d, 'drill.rolled_back', { rollbackMs: ms, goalMs: d.goalMs, metGoal }),
          ]);
        }
        if (verdict.kind === 'failed') return this.undo(d, 'forward', `the rollback failed: ${verdict.reason}; rolling forward`);
        if (this.overdue(d, nowMs)) return this.undo(d, 'forward', 'the maximum duration passed while rolling back: rolling forward');
        return this.next({}, [], this.pollMs);
      }
      case 'forward': {
        await Promise.all(d.recorded!.map((r) => client.restore(r, STAMPED)));
        return this.next(
          { phase: 'rolling-forward', phaseStartedAt: new Date(nowMs) },
          [this.event(d, 'drill.forward_patched', { images: d.recorded!.map((r) => r.image) })],
          this.pollMs,
        );
      }
      case 'rolling-forward': {
        const verdict = await this.rollout(d.recorded!, d, nowMs);
        if (verdict.kind === 'complete') return this.finish(d, nowMs, { secondMs: nowMs - d.phaseStartedAt!.getTime() });
        if (verdict.kind === 'failed') return this.finish(d, nowMs, { state: 'failed', note: `rolling forward failed: ${verdict.reason}` });
        return this.next({}, [], this.pollMs);
      }
      default:
        return this.finish(d, nowMs, {});
    }
  }

  /** Every workload's rollout to its recorded image, judged like the engine's (deadline: the drill's maximum duration). */
  private async rollout(workloads: RecordedWorkload[], d: DrillRecord, nowMs: number) {
    const client = this.clusters.forRegion(d.region);
    const observations = await Promise.all(workloads.map((w) => client.observe(w.workload)));
    const verdicts = observations.map((o, i) => judgeRollout(o, workloads[i]!.image, d.phaseStartedAt!.getTime(), d.maxDurationMs, nowMs));
    return (
      verdicts.find((v) => v.kind === 'failed') ??
      (verdicts.every((v) => v.kind === 'complete') ? { kind: 'complete' as const } : { kind: 'progressing' as const })
    );
  }
}
