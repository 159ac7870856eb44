/**
 * Kubernetes work for a batch of region targets. Each phase does its I/O for every target
 * in parallel and returns the writes to commit; the caller commits one phase before the
 * next begins, so what ran before a deploy is recorded before the deploy patch is sent.
 */
import { ENGINE_ACTOR, judgeRollout, moveTarget, releaseLabels, type RecordedWorkload, type StageSnapshot } from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';
import { WorkloadError, type Clusters, type Logger } from '../ports.js';
import { describeError } from '../errors.js';
import { emptyChange, pushTargetMove, type StepChange } from './step-change.js';

export class RegionDriver {
  constructor(
    private readonly clusters: Clusters,
    private readonly log: Logger,
  ) {}

  /** Phase 1 of a deploy: record image, pod template and labels of every workload. */
  async record(release: ReleaseRecord, targets: TargetRecord[], nowMs: number): Promise<StepChange> {
    return this.each(release, targets, nowMs, 'deploy', async (t, change) => {
      const client = this.clusters.forRegion(t.region);
      const previous = await Promise.all(t.workloads.map((w) => client.snapshot(w)));
      change.targets.push({ id: t.id, patch: { previous } });
      change.events.push({
        type: 'region.recorded',
        actor: ENGINE_ACTOR,
        region: t.region,
        data: { previousImages: previous.map((p) => p.image) },
      });
    });
  }

  /** Phase 2 of a deploy: patch image and release labels. */
  async patch(release: ReleaseRecord, targets: TargetRecord[], nowMs: number): Promise<StepChange> {
    const labels = releaseLabels(release);
    return this.each(release, targets, nowMs, 'deploy', async (t, change) => {
      const client = this.clusters.forRegion(t.region);
      await Promise.all(t.workloads.map((w) => client.deploy(w, release.image, labels)));
      change.targets.push({ id: t.id, patch: { patchedAt: new Date(nowMs) } });
      change.events.push({ type: 'region.patched', actor: ENGINE_ACTOR, region: t.region, data: { image: release.image } });
    });
  }

  /** Phase 3 of a deploy: judge the rollout; complete → baking, failed → failed. */
  async observeDeploy(release: ReleaseRecord, targets: TargetRecord[], nowMs: number): Promise<StepChange> {
    return this.each(release, targets, nowMs, 'deploy', async (t, change) => {
      const stage = this.stageOf(release, t);
      const client = this.clusters.forRegion(t.region);
      const observations = await Promise.all(t.workloads.map((w) => client.observe(w)));
      const verdicts = observations.map((o) => judgeRollout(o, release.image, t.patchedAt!.getTime(), stage.progressDeadlineMs, nowMs));
      const failed = verdicts.find((v) => v.kind === 'failed');
      if (failed && failed.kind === 'failed') {
        this.fail(change, t, failed.reason, nowMs);
      } else if (verdicts.every((v) => v.kind === 'complete')) {
        const move = moveTarget(t, 'baking', { type: 'region.baking', actor: ENGINE_ACTOR, data: { bakeMs: stage.bakeMs } });
        pushTargetMove(change, t.id, move, { rolloutCompletedAt: new Date(nowMs), bakeEndsAt: new Date(nowMs + stage.bakeMs) });
      }
    });
  }

  /** Rollback phase 1: restore what was recorded (or nothing, if the region was never patched). */
  async restore(release: ReleaseRecord, targets: TargetRecord[], nowMs: number): Promise<StepChange> {
    const stamped = Object.keys(releaseLabels(release));
    return this.each(release, targets, nowMs, 'rollback', async (t, change) => {
      if (!t.previous) {
        const reason = 'nothing to restore: the region was never changed';
        const move = moveTarget(t, 'rolled_back', { type: 'region.rolled_back', actor: ENGINE_ACTOR, reason });
        pushTargetMove(change, t.id, move, { rolledBackAt: new Date(nowMs) });
        return;
      }
      const client = this.clusters.forRegion(t.region);
      await Promise.all(t.previous.map((p) => client.restore(p, stamped)));
      change.targets.push({ id: t.id, patch: { rollbackPatchedAt: new Date(nowMs) } });
      change.events.push({
        type: 'region.restore_patched',
        actor: ENGINE_ACTOR,
        region: t.region,
        data: { images: t.previous.map((p) => p.image) },
      });
    });
  }

  /** Rollback phase 2: wait for the restored rollout; complete → rolled_back, failed → failed. */
  async observeRollback(release: ReleaseRecord, targets: TargetRecord[], nowMs: number): Promise<StepChange> {
    return this.each(release, targets, nowMs, 'rollback', async (t, change) => {
      const stage = this.stageOf(release, t);
      const client = this.clusters.forRegion(t.region);
      const previous = t.previous as RecordedWorkload[];
      const observations = await Promise.all(previous.map((p) => client.observe(p.workload)));
      const verdicts = observations.map((o, i) =>
        judgeRollout(o, previous[i]!.image, t.rollbackPatchedAt!.getTime(), stage.progressDeadlineMs, nowMs),
      );
      const failed = verdicts.find((v) => v.kind === 'failed');
      if (failed && failed.kind === 'failed') {
        this.fail(change, t, `rollback failed: ${failed.reason}`, nowMs);
      } else if (verdicts.every((v) => v.kind === 'complete')) {
        const move = moveTarget(t, 'rolled_back', { type: 'region.rolled_back', actor: ENGINE_ACTOR });
        pushTargetMove(change, t.id, move, { rolledBackAt: new Date(nowMs) });
      }
    });
  }

  private stageOf(release: ReleaseRecord, t: TargetRecord): StageSnapshot {
    return release.plan.stages[t.stageIndex]!;
  }

  private fail(change: StepChange, t: TargetRecord, reason: string, nowMs: number): void {
    const move = moveTarget(t, 'failed', { type: 'region.failed', actor: ENGINE_ACTOR, reason });
    pushTargetMove(change, t.id, move, { failedAt: new Date(nowMs), reason });
  }

  /**
   * Run `work` for every target in parallel. A permanent Kubernetes error (404, 403, 422…)
   * fails the target; a transient one (5xx, timeout) is retried on the next step until the
   * stage's progress deadline, measured from when the work began, has passed.
   */
  private async each(
    release: ReleaseRecord,
    targets: TargetRecord[],
    nowMs: number,
    kind: 'deploy' | 'rollback',
    work: (t: TargetRecord, change: StepChange) => Promise<void>,
  ): Promise<StepChange> {
    const change = emptyChange();
    await Promise.all(
      targets.map(async (t) => {
        try {
          await work(t, change);
        } catch (err) {
          const began = (kind === 'deploy' ? t.deployStartedAt : t.rollbackStartedAt)?.getTime() ?? nowMs;
          const expired = nowMs - began > this.stageOf(release, t).progressDeadlineMs;
          const permanent = err instanceof WorkloadError && err.permanent;
          this.log.warn(
            { releaseId: release.id, service: release.service, region: t.region, err: describeError(err), permanent, expired },
            `${kind} call failed`,
          );
          if (permanent || expired) this.fail(change, t, `${kind === 'rollback' ? 'rollback failed: ' : ''}${describeError(err)}`, nowMs);
        }
      }),
    );
    return change;
  }
}
