/**
 * Continuous verification: evaluates the gates of every region a release is watching (baking,
 * and verified until the release ends), stores each evaluation, keeps each gate's streaks, and
 * turns a failed gate into a failed region and too many errors into a pause.
 * The queries of one step run in parallel; the caller commits the result as one phase.
 */
import {
  dueInRound,
  formatPromDuration,
  judgeGate,
  recordVerdict,
  renderQuery,
  type Evaluation,
  type GateSpec,
  type GateStatus,
  type QueryOutcome,
  type TemplateVars,
  previousVersion,
  targetVars,
  ENGINE_ACTOR,
  moveTarget,
} from '#domain';
import type { GateEvaluationInput, ReleaseRecord, TargetRecord } from '#persistence';
import type { Clock, Logger, MetricsSources } from '../ports.js';
import { GateQueryRound } from './gate-queries.js';
import { gateStatusOf, isWatched, releaseGrids, scrapeTimings, stageGates } from './gate-timing.js';
import { emptyChange, type StepChange } from './step-change.js';

export interface GateRound {
  change: StepChange;
  /** the release should pause (error limit reached); null when not */
  pause: string | null;
  /** earliest moment a watched gate is due again */
  nextDueMs: number | null;
}

const NO_BASELINE: QueryOutcome = { ok: true, result: { kind: 'vector', series: [] }, durationMs: 0 };

/** The gate was evaluated at or after the end of the region's bake. */
function evaluatedSinceBakeEnd(t: TargetRecord, status: GateStatus): boolean {
  const end = t.bakeEndsAt?.getTime();
  return end === undefined || (status.lastEvaluatedAtMs !== null && status.lastEvaluatedAtMs >= end);
}

export class GateRunner {
  constructor(
    private readonly metrics: MetricsSources,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * Evaluate every watched gate that is due at `nowMs`, plus the gates of `forceTargets`
   * (regions whose bake has ended) not evaluated since their bake ended, so the bake's last
   * stretch is observed at once rather than an interval later.
   */
  async evaluateDue(
    release: ReleaseRecord,
    targets: readonly TargetRecord[],
    nowMs: number,
    forceTargets: ReadonlySet<string> = new Set(),
  ): Promise<GateRound> {
    const change = emptyChange();
    const work: Array<Promise<void>> = [];
    const statuses = new Map<string, Record<string, GateStatus>>();
    const pauses: string[] = [];
    let nextDueMs: number | null = null;
    const prevVersion = previousVersion(targets);
    const baselineRegions = targets.filter((t) => t.state === 'pending').map((t) => t.region);
    const queries = new GateQueryRound(this.metrics, (reason, regions) =>
      this.log.warn({ releaseId: release.id, regions, reason }, 'batched gate query fell back to one query per region'),
    );

    const due: Array<{ t: TargetRecord; gate: GateSpec; status: GateStatus; onTime: boolean }> = [];
    const grids = releaseGrids(release, targets);
    const scrapes = await scrapeTimings(this.metrics, release, targets, grids);
    for (const t of targets) {
      if (!isWatched(t)) continue;
      for (const gate of stageGates(release.plan.stages[t.stageIndex])) {
        const grid = grids.get(gate.name);
        const gridDue = grid?.intervalMs === gate.intervalMs ? grid.dueMs : undefined;
        const status = gateStatusOf(release, t, gate, gridDue, scrapes.get(`${t.region}\u0000${gate.name}`));
        if (status.failed) continue;
        const onTime = dueInRound(gate, status.nextDueAtMs, nowMs);
        if (onTime || (forceTargets.has(t.id) && !evaluatedSinceBakeEnd(t, status))) due.push({ t, gate, status, onTime });
        else nextDueMs = Math.min(nextDueMs ?? Infinity, status.nextDueAtMs);
      }
    }
    // The round's grid, per gate: its earliest due time. Every region the round takes on time
    // continues on it (nextDueAfter), so a wave's regions, whose bakes began a few hundred ms
    // apart, stay one round per interval instead of drifting into two.
    const roundDue = new Map<string, number>();
    for (const d of due) if (d.onTime) roundDue.set(d.gate.name, Math.min(roundDue.get(d.gate.name) ?? Infinity, d.status.nextDueAtMs));
    for (const { t, gate, status, onTime } of due) {
      work.push(
        this.evaluate(queries, release, t, gate, prevVersion, baselineRegions).then(({ evaluation, row }) => {
          const at = this.now(nowMs);
          const bakeStart = t.state === 'baking' ? (t.rolloutCompletedAt?.getTime() ?? null) : null;
          const onRoundGrid = onTime ? { ...status, nextDueAtMs: roundDue.get(gate.name)! } : status;
          const { status: next, action } = recordVerdict(gate, onRoundGrid, evaluation, at, bakeStart);
          const map = statuses.get(t.id) ?? { ...(t.gateStatus ?? {}) };
          map[gate.name] = next;
          statuses.set(t.id, map);
          change.evaluations!.push({ ...row, dueAt: onTime ? new Date(status.nextDueAtMs) : null, evaluatedAt: new Date(at) });
          if (action.kind === 'fail') this.failRegion(change, release, t, gate, evaluation, action.reason, at);
          if (action.kind === 'pause') pauses.push(`region ${t.region}: ${action.reason}`);
          if (!next.failed) nextDueMs = Math.min(nextDueMs ?? Infinity, next.nextDueAtMs);
        }),
      );
    }
    await Promise.all(work);
    for (const [id, gateStatus] of statuses) {
      const existing = change.targets.find((x) => x.id === id);
      if (existing) existing.patch = { ...existing.patch, gateStatus };
      else change.targets.push({ id, patch: { gateStatus } });
    }
    const pause = pauses.length > 0 ? pauses.join('; ') : null;
    if (pause) change.events.push({ type: 'gate.errors', actor: ENGINE_ACTOR, reason: pause });
    return { change, pause, nextDueMs };
  }

  /** Milliseconds now, but never before the step's own clock reading. */
  private now(stepNowMs: number): number {
    return Math.max(stepNowMs, this.clock.now().getTime());
  }

  private failRegion(
    change: StepChange,
    release: ReleaseRecord,
    t: TargetRecord,
    gate: GateSpec,
    ev: Evaluation,
    reason: string,
    nowMs: number,
  ): void {
    const stage = release.plan.stages[t.stageIndex]!;
    const move = moveTarget(t, 'failed', { type: 'region.failed', actor: ENGINE_ACTOR, reason });
    change.targets.push({ id: t.id, patch: { ...move.patch, failedAt: new Date(nowMs), reason } });
    change.events.push(
      {
        type: 'gate.failed',
        actor: ENGINE_ACTOR,
        region: t.region,
        reason,
        data: {
          gate: gate.name,
          stage: stage.name,
          verdict: ev.verdict,
          observed: ev.observed,
          baseline: ev.baseline,
          threshold: ev.threshold,
          failingSeries: ev.failingSeries,
          phase: t.state === 'baking' ? 'bake' : 'watch',
        },
      },
      move.event,
    );
  }

  private async evaluate(
    queries: GateQueryRound,
    release: ReleaseRecord,
    t: TargetRecord,
    gate: GateSpec,
    prevVersion: string,
    baselineRegions: readonly string[],
  ): Promise<{ evaluation: Evaluation; row: Omit<GateEvaluationInput, 'evaluatedAt' | 'dueAt'> }> {
    const vars: TemplateVars = { ...targetVars(release, t, prevVersion), window: formatPromDuration(gate.windowMs) };
    const started = Date.now();
    const query = renderQuery(gate.query, vars);
    const evidenceQuery = gate.minEvidence ? renderQuery(gate.minEvidence.query, vars) : null;
    const baselineQuery =
      gate.condition.kind === 'baseline' && baselineRegions.length > 0
        ? renderQuery(gate.query, { ...vars, region: baselineRegions.join('|'), version: prevVersion })
        : null;
    const opts = { timeoutMs: gate.queryTimeoutMs };
    const [candidate, evidence, baseline] = await Promise.all([
      queries.query(t.region, { text: gate.query, vars }, query, opts),
      evidenceQuery !== null
        ? queries.query(t.region, { text: gate.minEvidence!.query, vars }, evidenceQuery, opts)
        : Promise.resolve(undefined),
      baselineQuery !== null
        ? queries.query(t.region, null, baselineQuery, opts)
        : Promise.resolve(gate.condition.kind === 'baseline' ? NO_BASELINE : undefined),
    ]);
    let evaluation = judgeGate(gate, { candidate, ...(evidence ? { evidence } : {}), ...(baseline ? { baseline } : {}) });
    if (gate.condition.kind === 'baseline' && baselineQuery === null && evaluation.verdict === 'inconclusive') {
      evaluation = { ...evaluation, reason: 'no baseline: no region of this release is still on the previous version' };
    }
    if (evaluation.verdict === 'error') {
      this.log.warn(
        { releaseId: release.id, service: release.service, region: t.region, gate: gate.name, reason: evaluation.reason },
        'gate evaluation error',
      );
    }
    return {
      evaluation,
      row: {
        targetId: t.id,
        region: t.region,
        stageIndex: t.stageIndex,
        gate: gate.name,
        phase: t.state === 'baking' ? 'bake' : 'watch',
        verdict: evaluation.verdict,
        reason: evaluation.reason,
        query,
        evidenceQuery,
        baselineQuery,
        values: evaluation.values,
        observed: evaluation.observed,
        baseline: evaluation.baseline,
        evidence: evaluation.evidence,
        threshold: evaluation.threshold,
        failingSeries: evaluation.failingSeries,
        warnings: evaluation.warnings,
        infos: evaluation.infos,
        durationMs: Date.now() - started,
      },
    };
  }
}
