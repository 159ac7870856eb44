/** Learning from history (issue 12): time-to-smoke per service, the wave planner, drills. */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { GetDrill, GetTimeToSmoke, ListDrills, ProposePlan, RequestDrill } from '#application';
import { Actor, Scopes } from './auth.js';
import { DrillBody, DrillId, ListDrillsQuery, ProposePlanBody, ServiceName, TimeToSmokeQuery } from './learning-dto.js';
import { drillEventView, drillView, timeToSmokeView, trendView } from './learning-presenters.js';
import { parseOrThrow } from './validation.js';

@Controller('v1')
export class LearningController {
  constructor(
    @Inject(GetTimeToSmoke) private readonly timeToSmoke: GetTimeToSmoke,
    @Inject(ProposePlan) private readonly propose: ProposePlan,
    @Inject(RequestDrill) private readonly requestDrill: RequestDrill,
    @Inject(GetDrill) private readonly getDrill: GetDrill,
    @Inject(ListDrills) private readonly listDrills: ListDrills,
  ) {}

  @Get('services/:service/time-to-smoke')
  @Scopes('read')
  async smoke(@Param('service') service: string, @Query() query: unknown) {
    const q = parseOrThrow(TimeToSmokeQuery, query);
    return timeToSmokeView(await this.timeToSmoke.execute(parseOrThrow(ServiceName, service, 'service'), q.days));
  }

  @Post('plans/propose')
  @HttpCode(200)
  @Scopes('read')
  async proposePlan(@Body() body: unknown) {
    const input = parseOrThrow(ProposePlanBody, body);
    return this.propose.execute({ service: input.service, regions: input.regions });
  }

  @Post('drills')
  @HttpCode(202)
  @Scopes('releases:operate')
  async drill(@Body() body: unknown, @Res({ passthrough: true }) res: ServerResponse, @Actor() actor: string) {
    const input = parseOrThrow(DrillBody, body);
    const drill = await this.requestDrill.execute({
      kind: input.kind,
      region: input.region,
      service: input.service,
      goalMs: input.goal,
      maxDurationMs: input.maxDuration,
      reason: input.reason,
      actor,
    });
    res.setHeader('Location', `/v1/drills/${drill.id}`);
    return {
      drill: drillView(drill),
      message: `${drill.kind} drill of ${drill.region} started; it is always undone (at the latest after ${Math.round(drill.maxDurationMs / 60_000)}m); follow the drill`,
    };
  }

  @Get('drills')
  @Scopes('read')
  async drills(@Query() query: unknown) {
    const q = parseOrThrow(ListDrillsQuery, query);
    const { items, trend } = await this.listDrills.execute({ region: q.region, kind: q.kind, limit: q.limit });
    return { items: items.map(drillView), trend: trend.map(trendView) };
  }

  @Get('drills/:id')
  @Scopes('read')
  async drillById(@Param('id') id: string) {
    const { drill, events } = await this.getDrill.execute(parseOrThrow(DrillId, id, 'id'));
    return { ...drillView(drill), events: events.map(drillEventView) };
  }
}
