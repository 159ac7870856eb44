/**
 * The API bench's floor: a bare NestJS app (same node_modules, express platform, default body
 * parser, no auth, no log, no database) answering GET /v1/releases/:id, GET /v1/releases and
 * POST /v1/releases with the bytes the real API answered for them (read from BARE_RESPONSES).
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Body, Controller, Get, Header, HttpCode, Module, NotFoundException, Param, Post, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServerResponse } from 'node:http';

export interface BareResponses {
  /** release id → the body of GET /v1/releases/:id */
  get: Record<string, string>;
  /** the body of GET /v1/releases */
  list: string;
  /** the body and Location of one POST /v1/releases (201) */
  post: string;
  postLocation: string;
}

const file = process.env.BARE_RESPONSES;
if (!file) throw new Error('BARE_RESPONSES is required');
const data = JSON.parse(readFileSync(file, 'utf8')) as BareResponses;
const JSON_TYPE = 'application/json; charset=utf-8';

@Controller('v1/releases')
class BareReleasesController {
  @Get()
  @Header('Content-Type', JSON_TYPE)
  list(): string {
    return data.list;
  }

  @Get(':id')
  @Header('Content-Type', JSON_TYPE)
  get(@Param('id') id: string): string {
    const body = data.get[id];
    if (body === undefined) throw new NotFoundException();
    return body;
  }

  @Post()
  @HttpCode(201)
  @Header('Content-Type', JSON_TYPE)
  create(@Body() body: unknown, @Res({ passthrough: true }) res: ServerResponse): string {
    if (typeof body !== 'object' || body === null) throw new NotFoundException();
    res.setHeader('Location', data.postLocation);
    return data.post;
  }
}

@Module({ controllers: [BareReleasesController] })
class BareModule {}

const app = await NestFactory.create<NestExpressApplication>(BareModule, { logger: false });
await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
console.log(JSON.stringify({ level: 30, msg: 'bare api listening', url: await app.getUrl() }));
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
