/** Operator actions on a release and its gate evaluations. Thin: validate, call the use case, present. */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApproveRelease,
  CancelRelease,
  ListGateEvaluations,
  PauseRelease,
  PromoteRelease,
  ResumeRelease,
  RetryRegion,
  RollbackRelease,
  type ActionInput,
  type ActionResult,
} from '#application';
import { evaluationView, regionGateView } from './gate-presenters.js';
import { releaseView } from './presenters.js';
import { ActionBody, GatesQuery, PromoteBody, ReleaseId, RetryBody } from './release-dto.js';
import { parseOrThrow } from './validation.js';
import { Actor, Scopes } from './auth.js';

function actionView(result: ActionResult) {
  return { release: releaseView(result.release), message: result.message };
}

/** express.json leaves `{}` for a request without a body. */
function emptyToUndefined(body: unknown): unknown {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0 ? undefined : body;
}

function actionInput(id: string, body: unknown, actor: string): ActionInput {
  const input = parseOrThrow(ActionBody, emptyToUndefined(body));
  return { id: parseOrThrow(ReleaseId, id, 'id'), actor, reason: input?.reason };
}

@Controller('v1/releases')
export class ReleaseActionsController {
  constructor(
    @Inject(PauseRelease) private readonly pauseRelease: PauseRelease,
    @Inject(ResumeRelease) private readonly resumeRelease: ResumeRelease,
    @Inject(ApproveRelease) private readonly approveRelease: ApproveRelease,
    @Inject(PromoteRelease) private readonly promoteRelease: PromoteRelease,
    @Inject(RollbackRelease) private readonly rollbackRelease: RollbackRelease,
    @Inject(CancelRelease) private readonly cancelRelease: CancelRelease,
    @Inject(RetryRegion) private readonly retryRegion: RetryRegion,
    @Inject(ListGateEvaluations) private readonly listGates: ListGateEvaluations,
  ) {}

  @Post(':id/pause')
  @HttpCode(200)
  @Scopes('releases:operate')
  async pause(@Param('id') id: string, @Body() body: unknown, @Actor() actor: string) {
    return actionView(await this.pauseRelease.execute(actionInput(id, body, actor)));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Scopes('releases:operate')
  async resume(@Param('id') id: string, @Body() body: unknown, @Actor() actor: string) {
    return actionView(await this.resumeRelease.execute(actionInput(id, body, actor)));
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Scopes('releases:operate')
  async approve(@Param('id') id: string, @Body() body: unknown, @Actor() actor: string) {
    return actionView(await this.approveRelease.execute(actionInput(id, body, actor)));
  }

  @Post(':id/promote')
  @HttpCode(200)
  @Scopes('releases:operate')
  async promote(@Param('id') id: string, @Body() body: unknown, @Actor() actor: string) {
    const input = parseOrThrow(PromoteBody, body ?? {});
    return actionView(await this.promoteRelease.execute({ id: parseOrThrow(ReleaseId, id, 'id'), actor, reason: input.reason }));
  }

  @Post(':id/rollback')
  @HttpCode(200)
  @Scopes('releases:operate')
  async rollback(@Param('id') id: string, @Body() body: unknown, @Actor() actor: string) {
    return actionView(await this.rollbackRelease.execute(actionInput(id, body, actor)));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Scopes('releases:operate')
  async cancel(@Param('id') id: string, @Body() body: unknown, @Actor() actor: string) {
    return actionView(await this.cancelRelease.execute(actionInput(id, body, actor)));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Scopes('releases:operate')
  async retry(@Param('id') id: string, @Body() body: unknown, @Actor() actor: string) {
    const input = parseOrThrow(RetryBody, emptyToUndefined(body));
    return actionView(
      await this.retryRegion.execute({ id: parseOrThrow(ReleaseId, id, 'id'), actor, reason: input?.reason, region: input?.region }),
    );
  }

  @Get(':id/gates')
  @Scopes('read')
  async gates(@Param('id') id: string, @Query() query: unknown) {
    const q = parseOrThrow(GatesQuery, query);
    const { gates, evaluations } = await this.listGates.execute(parseOrThrow(ReleaseId, id, 'id'), {
      ...(q.region ? { region: q.region } : {}),
      ...(q.gate ? { gate: q.gate } : {}),
      ...(q.after ? { afterId: q.after } : {}),
      limit: q.limit,
    });
    const items = evaluations.map(evaluationView);
    return {
      gates: gates.map(regionGateView),
      evaluations: items,
      nextAfter: items.length === q.limit ? items[items.length - 1]!.id : null,
    };
  }
}
