/**
 * Drills (seed ch. 7, "When Something Goes Wrong"): practise a drain or a rollback of one region
 * and keep how long it took against a goal. The request checks safety and records the drill; a
 * `drill.step` job runs it (run-drill-step.ts). Refused while a release of the service (any release
 * touching the region, without a service) is active, while the region is drained or being
 * drained or restored, or while another drill runs there.
 */
import type { DrillKind, DrillRecord, DrillStore, RegionOperationStore } from '#persistence';
import { ConflictError, ValidationError } from '../errors.js';
import type { Clock, Clusters, DrillScheduler, RegionDirectory, TrafficProviders } from '../ports.js';

/** A drill longer than this is undone whatever was asked. */
export const DRILL_MAX_DURATION_MS = 2 * 3_600_000;
export const DRILL_DEFAULT_MAX_DURATION_MS = 30 * 60_000;
const LOCK_WAIT_MS = 20_000;

export interface DrillRequest {
  kind: DrillKind;
  region: string;
  service?: string | undefined;
  goalMs: number;
  maxDurationMs?: number | undefined;
  reason: string;
  actor: string;
}

export class RequestDrill {
  constructor(
    private readonly drills: DrillStore,
    private readonly ops: RegionOperationStore,
    private readonly directory: RegionDirectory,
    private readonly traffic: TrafficProviders,
    private readonly clusters: Clusters,
    private readonly scheduler: DrillScheduler,
    private readonly clock: Clock,
    private readonly withLock: <T>(key: string, waitMs: number, fn: () => Promise<T>) => Promise<T>,
  ) {}

  async execute(req: DrillRequest): Promise<DrillRecord> {
    if (!this.directory.region(req.region)) throw new ValidationError([{ field: 'region', message: `unknown region "${req.region}"` }]);
    const maxDurationMs = req.maxDurationMs ?? DRILL_DEFAULT_MAX_DURATION_MS;
    if (maxDurationMs > DRILL_MAX_DURATION_MS) throw new ValidationError([{ field: 'maxDuration', message: 'must be at most 2h' }]);
    const workloads = req.service ? this.directory.workloads(req.region).find((w) => w.service === req.service)?.workloads : undefined;
    if (req.service && !workloads)
      throw new ValidationError([{ field: 'service', message: `service "${req.service}" has no workload in region ${req.region}` }]);
    if (req.kind === 'rollback' && !req.service)
      throw new ValidationError([{ field: 'service', message: 'is required for a rollback drill' }]);
    if (req.kind === 'drain' && !this.traffic.forRegion(req.region)) {
      throw new ConflictError(
        `region ${req.region} has traffic provider none: its traffic cannot be drained (set traffic in regions.yaml)`,
        'none',
      );
    }
    return this.withLock(`drill-region:${req.region}`, LOCK_WAIT_MS, async () => {
      const running = await this.drills.inFlight(req.region);
      if (running) throw new ConflictError(`a ${running.kind} drill of ${req.region} is under way (drill ${running.id})`, running.state);
      const active = await this.drills.activeReleasesIn(req.region, req.service ?? null);
      if (active.length > 0) {
        const r = active[0]!;
        throw new ConflictError(
          `refused: release ${r.id} of ${r.service} is ${r.state}${req.service ? '' : ` in ${req.region}`}; drill when no release is active`,
          r.state,
        );
      }
      const op = (await this.ops.inFlight(req.region)) ?? (await this.ops.latest(req.region));
      if (
        op &&
        (op.state === 'pending' ||
          op.state === 'draining' ||
          op.state === 'restoring' ||
          (op.kind === 'drain' && (op.state === 'drained' || op.state === 'unverified')))
      ) {
        throw new ConflictError(
          `refused: region ${req.region} is ${op.kind === 'drain' ? 'drained or being drained' : 'being restored'} (operation ${op.id}, ${op.state})`,
          op.state,
        );
      }
      let target: DrillRecord['target'] = null;
      let targetVersion: string | null = null;
      if (req.kind === 'rollback') {
        const last = await this.drills.lastChange(req.service!, req.region);
        if (!last?.previous)
          throw new ConflictError(
            `no previous version of ${req.service} is known in ${req.region}: no succeeded release recorded what ran before it`,
            'no-history',
          );
        const client = this.clusters.forRegion(req.region);
        const now = await Promise.all(workloads!.map((w) => client.snapshot(w)));
        const drifted = now.find((n) => n.image !== last.image);
        if (drifted)
          throw new ConflictError(
            `${req.region} runs ${drifted.image}, not ${last.image} of the last release: the history does not match what runs`,
            'drifted',
          );
        target = last.previous;
        targetVersion = target.map((p) => p.image).join(', ');
      }
      const nowMs = this.clock.now().getTime();
      const drill = await this.drills.insert(
        {
          kind: req.kind,
          region: req.region,
          service: req.service ?? null,
          goalMs: req.goalMs,
          maxDurationMs,
          actor: req.actor,
          reason: req.reason,
          deadlineAt: new Date(nowMs + maxDurationMs),
          phase: req.kind === 'drain' ? 'drain' : 'record',
          target,
          targetVersion,
        },
        {
          type: 'drill.started',
          actor: req.actor,
          reason: req.reason,
          data: { kind: req.kind, region: req.region, service: req.service ?? null, goalMs: req.goalMs, maxDurationMs },
        },
      );
      await this.scheduler.enqueueDrill(drill.id, drill.checkSeq, 0).catch(() => undefined); // the sweeper re-enqueues
      return drill;
    });
  }
}
