/** Operator actions on a release and its gate evaluations. Thin: validate, call the use case, present. */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ListGateEvaluations, PauseRelease, ResumeRelease, type ActionResult } from '../../../libs/application/src/index.js';
import { evaluationView, regionGateView } from './gate-presenters.js';
import { releaseView } from './presenters.js';
import { ActionBody, GatesQuery, ReleaseId } from './release-dto.js';
import { parseOrThrow } from './validation.js';

function actionView(result: ActionResult) {
  return { release: releaseView(result.release), message: result.message };
}

@Controller('v1/releases')
export class ReleaseActionsController {
  constructor(
    @Inject(PauseRelease) private readonly pauseRelease: PauseRelease,
    @Inject(ResumeRelease) private readonly resumeRelease: ResumeRelease,
    @Inject(ListGateEvaluations) private readonly listGates: ListGateEvaluations,
  ) {}

  @Post(':id/pause')
  @HttpCode(200)
  async pause(@Param('id') id: string, @Body() body: unknown) {
    const input = parseOrThrow(ActionBody, emptyToUndefined(body));
    return actionView(await this.pauseRelease.execute({ id: parseOrThrow(ReleaseId, id, 'id'), actor: 'anonymous', reason: input?.reason }));
  }

  @Post(':id/resume')
  @HttpCode(200)
  async resume(@Param('id') id: string, @Body() body: unknown) {
    const input = parseOrThrow(ActionBody, emptyToUndefined(body));
    return actionView(await this.resumeRelease.execute({ id: parseOrThrow(ReleaseId, id, 'id'), actor: 'anonymous', reason: input?.reason }));
  }

  @Get(':id/gates')
  async gates(@Param('id') id: string, @Query() query: unknown) {
    const q = parseOrThrow(GatesQuery, query);
    const { gates, evaluations } = await this.listGates.execute(parseOrThrow(ReleaseId, id, 'id'), {
      ...(q.region ? { region: q.region } : {}),
      ...(q.gate ? { gate: q.gate } : {}),
      ...(q.after ? { afterId: q.after } : {}),
      limit: q.limit,
    });
    const items = evaluations.map(evaluationView);
    return { gates: gates.map(regionGateView), evaluations: items, nextAfter: items.length === q.limit ? items[items.length - 1]!.id : null };
  }
}

/** express.json leaves `{}` for a request without a body. */
function emptyToUndefined(body: unknown): unknown {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0 ? undefined : body;
}
