/**
 * Drain and restore a region outside any release (PRODUCT.md "Traffic"): the API records the
 * operation under the region's lock and answers at once; a `region.operation` job
 * (RunRegionOperation) moves the weight and verifies it. A drain is refused while one is under
 * way or the region is drained; a restore supersedes a drain still in flight.
 */
import type { Db, RegionOperationKind, RegionOperationRecord, RegionOperationStore } from '#persistence';
import { ConflictError, NotFoundError } from '../errors.js';
import { LOCK_WAIT_MS, regionLock } from '../locks.js';
import type { Clock, RegionDirectory, RegionOperationScheduler, TrafficProviders } from '../ports.js';

export interface RegionOperationRequest {
  region: string;
  kind: RegionOperationKind;
  actor: string;
  reason?: string | undefined;
}

export class RequestRegionOperation {
  constructor(
    private readonly db: Db,
    private readonly ops: RegionOperationStore,
    private readonly directory: RegionDirectory,
    private readonly traffic: TrafficProviders,
    private readonly scheduler: RegionOperationScheduler,
    private readonly clock: Clock,
  ) {}

  /**
   * A drain is refused while one is under way or the region is drained; a restore while one is
   * under way. A restore supersedes a drain still in flight (restore wins).
   */
  execute(req: RegionOperationRequest): Promise<RegionOperationRecord> {
    const info = this.directory.region(req.region);
    if (!info) throw new NotFoundError('region', req.region);
    if (!this.traffic.forRegion(req.region)) {
      throw new ConflictError(
        `region ${req.region} has traffic provider none: its traffic cannot be moved (set traffic in regions.yaml)`,
        'none',
      );
    }
    return this.db.withLock(regionLock(req.region), LOCK_WAIT_MS, async () => {
      const inFlight = await this.ops.inFlight(req.region);
      const lastDrain = await this.ops.latest(req.region, 'drain');
      const latest = await this.ops.latest(req.region);
      if (req.kind === 'drain') {
        if (inFlight)
          throw new ConflictError(
            `cannot drain ${req.region}: a ${inFlight.kind} is under way (operation ${inFlight.id}, ${inFlight.state})`,
            inFlight.state,
          );
        if (latest?.kind === 'drain' && (latest.state === 'drained' || latest.state === 'unverified')) {
          throw new ConflictError(
            `cannot drain ${req.region}: it is already drained (operation ${latest.id}); restore it first`,
            latest.state,
          );
        }
      } else {
        if (inFlight?.kind === 'restore')
          throw new ConflictError(`cannot restore ${req.region}: a restore is under way (operation ${inFlight.id})`, inFlight.state);
      }
      // A restore that supersedes a drain in flight ends it in the same commit as it is recorded.
      const supersede =
        req.kind === 'restore' && inFlight
          ? {
              id: inFlight.id,
              patch: {
                state: 'superseded' as const,
                completedAt: this.clock.now(),
                note: `superseded by a restore requested by ${req.actor}`,
              },
            }
          : undefined;
      const op = await this.ops.insert(
        {
          region: req.region,
          kind: req.kind,
          actor: req.actor,
          reason: req.reason ?? null,
          targetWeight: req.kind === 'drain' ? 0 : restoreWeight(lastDrain),
          previousWeight: null,
          preDrainRate: req.kind === 'restore' ? (lastDrain?.preDrainRate ?? null) : null,
        },
        supersede,
      );
      await this.scheduler.enqueueRegionOperation(op.id, op.checkSeq, 0).catch(() => undefined); // the sweeper re-enqueues
      return op;
    });
  }
}

/** A restore puts back the weight the last drain found (100 when it found none, or found the region already at 0). */
function restoreWeight(lastDrain: RegionOperationRecord | null): number {
  const previous = lastDrain?.previousWeight;
  return previous != null && previous > 0 ? previous : 100;
}
