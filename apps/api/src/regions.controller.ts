/** /v1/regions: what runs where and at which traffic weight; drain and restore outside releases. */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { GetRegionOperation, ListRegions, RequestRegionOperation } from '#application';
import type { RegionOperationKind } from '#persistence';
import { OperationId, RegionActionBody, RegionName } from './region-dto.js';
import { operationView, regionView } from './region-presenters.js';
import { parseOrThrow } from './validation.js';
import { Actor, Scopes } from './auth.js';

/** express.json leaves `{}` for a request without a body. */
const emptyToUndefined = (body: unknown): unknown =>
  body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0 ? undefined : body;

@Controller('v1/regions')
export class RegionsController {
  constructor(
    @Inject(ListRegions) private readonly listRegions: ListRegions,
    @Inject(RequestRegionOperation) private readonly request: RequestRegionOperation,
    @Inject(GetRegionOperation) private readonly getOperation: GetRegionOperation,
  ) {}

  @Get()
  @Scopes('read')
  async list() {
    return { items: (await this.listRegions.execute()).map(regionView) };
  }

  @Post(':region/drain')
  @HttpCode(202)
  @Scopes('releases:operate')
  drain(@Param('region') region: string, @Body() body: unknown, @Res({ passthrough: true }) res: ServerResponse, @Actor() actor: string) {
    return this.operate('drain', region, body, res, actor);
  }

  @Post(':region/restore')
  @HttpCode(202)
  @Scopes('releases:operate')
  restore(@Param('region') region: string, @Body() body: unknown, @Res({ passthrough: true }) res: ServerResponse, @Actor() actor: string) {
    return this.operate('restore', region, body, res, actor);
  }

  @Get(':region/operations/:operationId')
  @Scopes('read')
  async operation(@Param('region') region: string, @Param('operationId') id: string) {
    return operationView(
      await this.getOperation.execute(parseOrThrow(RegionName, region, 'region'), parseOrThrow(OperationId, id, 'operationId')),
    );
  }

  private async operate(kind: RegionOperationKind, region: string, body: unknown, res: ServerResponse, actor: string) {
    const input = parseOrThrow(RegionActionBody, emptyToUndefined(body));
    const op = await this.request.execute({ kind, region: parseOrThrow(RegionName, region, 'region'), actor, reason: input?.reason });
    res.setHeader('Location', `/v1/regions/${op.region}/operations/${op.id}`);
    const message =
      kind === 'drain'
        ? `draining ${op.region}: its weight goes to 0, verified by its request rate; follow the operation`
        : `restoring ${op.region} to weight ${op.targetWeight}; follow the operation`;
    return { operation: operationView(op), message };
  }
}
