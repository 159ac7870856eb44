/** /v1/releases: thin — validate the request, call the use case, present the result. */
import { Body, Controller, Get, Header, Headers, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { CreateRelease, GetRelease, ListReleaseEvents, ListReleases } from '#application';
import { CreateReleaseBody, IdempotencyKey, ListEventsQuery, ListReleasesQuery, ReleaseId } from './release-dto.js';
import { eventView, releaseDetailView, releaseSummaryView } from './presenters.js';
import { parseOrThrow } from './validation.js';
import { Actor, Scopes } from './auth.js';
import { ReadCache, wantsFresh } from './read-cache.js';
import { answerJson, JSON_TYPE } from './json-answer.js';

@Controller('v1/releases')
export class ReleasesController {
  constructor(
    @Inject(CreateRelease) private readonly createRelease: CreateRelease,
    @Inject(GetRelease) private readonly getRelease: GetRelease,
    @Inject(ListReleases) private readonly listReleases: ListReleases,
    @Inject(ListReleaseEvents) private readonly listEvents: ListReleaseEvents,
    @Inject(ReadCache) private readonly cache: ReadCache,
  ) {}

  @Post()
  @Scopes('releases:create')
  async create(
    @Body() body: unknown,
    @Headers('idempotency-key') key: unknown,
    @Res() res: ServerResponse,
    @Actor() actor: string,
  ): Promise<void> {
    const input = parseOrThrow(CreateReleaseBody, body);
    const idempotencyKey = parseOrThrow(IdempotencyKey, key, 'Idempotency-Key');
    const { release, created, targets } = await this.createRelease.execute({ ...input, idempotencyKey, actor });
    const view = releaseDetailView(release, targets ?? (await this.getRelease.execute(release.id)).targets);
    res.setHeader('Location', `/v1/releases/${release.id}`);
    answerJson(res, created ? 201 : 200, JSON.stringify(view));
  }

  // The two hot reads answer JSON text, kept briefly by the read cache (read-cache.ts says what a reader may see).
  @Get()
  @Scopes('read')
  @Header('Content-Type', JSON_TYPE)
  list(@Query() query: unknown, @Headers('cache-control') cacheControl: unknown): Promise<string> {
    const q = parseOrThrow(ListReleasesQuery, query);
    return this.cache.through(
      `list ${q.service ?? ''} ${q.state ?? ''} ${q.limit} ${q.offset}`,
      async () => {
        const page = await this.listReleases.execute(q);
        return JSON.stringify({ items: page.items.map(releaseSummaryView), total: page.total, limit: q.limit, offset: q.offset });
      },
      wantsFresh(cacheControl),
    );
  }

  @Get(':id')
  @Scopes('read')
  @Header('Content-Type', JSON_TYPE)
  get(@Param('id') id: string, @Headers('cache-control') cacheControl: unknown): Promise<string> {
    const releaseId = parseOrThrow(ReleaseId, id, 'id');
    return this.cache.through(
      `release ${releaseId}`,
      async () => {
        const { release, targets } = await this.getRelease.execute(releaseId);
        return JSON.stringify(releaseDetailView(release, targets));
      },
      wantsFresh(cacheControl),
    );
  }

  @Get(':id/events')
  @Scopes('read')
  async events(@Param('id') id: string, @Query() query: unknown) {
    const q = parseOrThrow(ListEventsQuery, query);
    const items = await this.listEvents.execute(parseOrThrow(ReleaseId, id, 'id'), q.after, q.limit);
    return { items: items.map(eventView) };
  }
}
