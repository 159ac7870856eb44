/** POST /v1/plans/dry-run: what a release would do right now. Thin: validate, call the use case, present. Writes nothing. */
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { PlanDryRun, type DryRunResult } from '#application';
import { formatPromDuration } from '#domain';
import { conditionText } from './gate-presenters.js';
import { DryRunBody } from './plan-dto.js';
import { Scopes } from './auth.js';
import { parseOrThrow } from './validation.js';

const isoMs = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function dryRunView(r: DryRunResult) {
  return {
    service: r.service,
    plan: r.plan,
    version: r.version,
    previousVersion: r.previousVersion,
    image: r.image,
    at: isoMs(r.atMs),
    stages: r.stages.map(({ stage: s, gates }) => ({
      index: s.index,
      name: s.name,
      kind: s.kind,
      regions: s.regions.map((t) => t.region),
      maxParallel: s.maxParallel,
      bakeMs: s.bakeMs,
      progressDeadlineMs: s.progressDeadlineMs,
      approval: s.approval,
      onFailure: s.onFailure,
      gates: gates.map((g) => ({
        name: g.spec.name,
        condition: conditionText(g.spec),
        interval: formatPromDuration(g.spec.intervalMs),
        window: formatPromDuration(g.spec.windowMs),
        failureLimit: g.spec.failureLimit,
        inconclusive: g.spec.inconclusive,
        worstCaseBreachToActionMs: g.worstCaseBreachToActionMs,
        worstCaseBreachToAction: formatPromDuration(g.worstCaseBreachToActionMs),
        queries: g.queries,
      })),
    })),
    blockers: r.blockers.map((b) => ({ region: b.region, stage: b.stage, kind: b.kind, reason: b.reason, opensAt: isoMs(b.opensAtMs) })),
    estimate: r.estimate,
    queuedBehind: r.activeRelease?.id ?? null,
  };
}

@Controller('v1/plans')
export class PlansController {
  constructor(@Inject(PlanDryRun) private readonly dryRun: PlanDryRun) {}

  @Post('dry-run')
  @HttpCode(200)
  @Scopes('read')
  async run(@Body() body: unknown) {
    return dryRunView(await this.dryRun.execute(parseOrThrow(DryRunBody, body ?? {})));
  }
}
