/** CI posts a release: validate it, freeze the plan, insert it (or return the existing one). */
import type { TidelineConfig } from '../../../config/src/index.js';
import { expandPlan, PlanError, validateReleaseImage, type PlanSnapshot } from '../../../domain/src/index.js';
import type { ReleaseRecord, ReleaseStore } from '../../../persistence/src/index.js';
import { ValidationError } from '../errors.js';
import type { TickScheduler } from '../ports.js';

export interface CreateReleaseCommand {
  service: string;
  version: string;
  image: string;
  releaseNumber: number;
  gitSha?: string;
  requestedBy?: string;
  idempotencyKey?: string;
  /** who asked (token name, or "anonymous") */
  actor: string;
}

export class CreateRelease {
  constructor(
    private readonly config: TidelineConfig,
    private readonly store: ReleaseStore,
    private readonly ticks: TickScheduler,
    /** `bake: auto` (issue 12): resolves auto stages from time-to-smoke before the plan is frozen. */
    private readonly autoBake?: { resolve(plan: PlanSnapshot): Promise<PlanSnapshot> },
  ) {}

  async execute(cmd: CreateReleaseCommand): Promise<{ release: ReleaseRecord; created: boolean }> {
    const service = this.config.services.get(cmd.service);
    if (!service) {
      const known = [...this.config.services.keys()].join(', ') || 'none configured';
      throw new ValidationError([{ field: 'service', message: `unknown service "${cmd.service}" (known: ${known})` }]);
    }
    const image = validateReleaseImage(cmd.image);
    if (!image.ok) throw new ValidationError([{ field: 'image', message: image.problem }]);
    const plan = this.config.plans.get(service.plan);
    if (!plan) throw new ValidationError([{ field: 'service', message: `service "${service.name}" names plan "${service.plan}", which does not exist` }]);
    let snapshot;
    try {
      snapshot = expandPlan(plan, service, new Set(this.config.regionsByName.keys()));
    } catch (err) {
      if (err instanceof PlanError) throw new ValidationError([{ field: 'service', message: err.message }]);
      throw err;
    }
    if (this.autoBake) snapshot = await this.autoBake.resolve(snapshot);

    const result = await this.store.create(
      {
        service: service.name,
        version: cmd.version,
        image: cmd.image,
        releaseNumber: cmd.releaseNumber,
        gitSha: cmd.gitSha ?? null,
        requestedBy: cmd.requestedBy ?? null,
        idempotencyKey: cmd.idempotencyKey ?? null,
        plan: snapshot,
      },
      cmd.actor,
      service.onConcurrent === 'supersede',
    );
    if (result.created && result.release.state === 'running') {
      // If this enqueue is lost (Redis down, crash), the sweeper finds the release and enqueues it.
      await this.ticks.enqueueTick(result.release.id, result.release.tickSeq, 0).catch(() => undefined);
    }
    return result;
  }
}
