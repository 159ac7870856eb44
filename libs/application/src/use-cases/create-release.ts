/**
 * CI posts a release: validate it, freeze the plan, insert it, or return the existing one when
 * the request repeats it; refuse (409) a repeat with another payload, and a release number
 * older than one of the service that went or will go live (unless `allowOlder`).
 */
import type { TidelineConfig } from '#config';
import { expandPlan, PlanError, validateReleaseImage, type PlanSnapshot } from '#domain';
import type { CreateOutcome, ReleaseRecord, ReleaseStore, TargetRecord } from '#persistence';
import { ConflictError, ValidationError } from '../errors.js';
import type { TickScheduler } from '../ports.js';

export interface CreateReleaseCommand {
  service: string;
  version: string;
  image: string;
  releaseNumber: number;
  gitSha?: string;
  requestedBy?: string;
  idempotencyKey?: string;
  /** a deliberate roll back/forward to a number lower than the service's newest live release */
  allowOlder?: boolean;
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

  /** `targets`: those the create wrote (absent when it returned an existing release). */
  async execute(cmd: CreateReleaseCommand): Promise<{ release: ReleaseRecord; created: boolean; targets?: TargetRecord[] }> {
    const service = this.config.services.get(cmd.service);
    if (!service) {
      const known = [...this.config.services.keys()].join(', ') || 'none configured';
      throw new ValidationError([{ field: 'service', message: `unknown service "${cmd.service}" (known: ${known})` }]);
    }
    const image = validateReleaseImage(cmd.image);
    if (!image.ok) throw new ValidationError([{ field: 'image', message: image.problem }]);
    const plan = this.config.plans.get(service.plan);
    if (!plan)
      throw new ValidationError([
        { field: 'service', message: `service "${service.name}" names plan "${service.plan}", which does not exist` },
      ]);
    let snapshot;
    try {
      snapshot = expandPlan(plan, service, new Set(this.config.regionsByName.keys()));
    } catch (err) {
      if (err instanceof PlanError) throw new ValidationError([{ field: 'service', message: err.message }]);
      throw err;
    }
    if (this.autoBake) snapshot = await this.autoBake.resolve(snapshot);

    const outcome = await this.store.create(
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
      { supersede: service.onConcurrent === 'supersede', allowOlder: cmd.allowOlder === true },
    );
    if (outcome.kind === 'changed' || outcome.kind === 'older') throw refusal(outcome, cmd);
    const result =
      outcome.kind === 'created'
        ? { release: outcome.release, created: true, targets: outcome.targets }
        : { release: outcome.release, created: false };
    if (result.created && result.release.state === 'running') {
      // If this enqueue is lost (Redis down, crash), the sweeper finds the release and enqueues it.
      await this.ticks.enqueueTick(result.release.id, result.release.tickSeq, 0).catch(() => undefined);
    }
    return result;
  }
}

const brief = (r: ReleaseRecord) => ({ id: r.id, releaseNumber: r.releaseNumber, version: r.version, image: r.image, state: r.state });
const shown = (v: unknown) => (v === null ? 'none' : JSON.stringify(v));

/** 409 naming what is at odds and the release that holds it; nothing was written. */
function refusal(outcome: Extract<CreateOutcome, { kind: 'changed' | 'older' }>, cmd: CreateReleaseCommand): ConflictError {
  if (outcome.kind === 'older') {
    const n = outcome.newer;
    return new ConflictError(
      `release number ${cmd.releaseNumber} is older than release #${n.releaseNumber} (${n.id}, ${n.state}) of ${n.service}: it would replace a newer version; ` +
        'send allowOlder: true for a deliberate roll back',
      n.state,
      {
        newerRelease: brief(n),
        errors: [{ field: 'releaseNumber', message: `lower than ${n.releaseNumber} (release ${n.id}, ${n.state})` }],
      },
    );
  }
  const r = outcome.release;
  const what =
    outcome.by === 'idempotencyKey'
      ? `Idempotency-Key ${JSON.stringify(cmd.idempotencyKey)}`
      : `release number ${r.releaseNumber} of ${r.service}`;
  const fields = outcome.differences.map((d) => d.field);
  return new ConflictError(`${what} already names release ${r.id} with a different ${fields.join(', ')}; nothing was written`, r.state, {
    existingRelease: brief(r),
    errors: outcome.differences.map((d) => ({
      field: d.field,
      message: `release ${r.id} has ${shown(d.existing)}, this request ${shown(d.requested)}`,
    })),
  });
}
