/** Build the Nest HTTP application around a container (used by main.ts and the demo). */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Container } from '../../../libs/runtime/src/index.js';
import { AppModule } from './app.module.js';
import { problem, ProblemFilter, sendProblem } from './problem.filter.js';

export async function createHttpApp(c: Container): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forContainer(c), { bodyParser: false, logger: ['error', 'warn'] });
  app.use(express.json({ limit: '256kb', strict: true, type: ['application/json', 'application/*+json'] }));
  // Body-parser failures (malformed JSON, too large) become problem+json 4xx, not HTML.
  app.use((err: { status?: number; type?: string; message?: string }, _req: IncomingMessage, res: ServerResponse, next: (e?: unknown) => void) => {
    if (!err) return next();
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
    const detail = err.type === 'entity.parse.failed' ? `request body is not valid JSON: ${err.message ?? ''}` : (err.message ?? 'bad request');
    sendProblem(res, problem(status, detail, err.type === 'entity.parse.failed' ? [{ field: '(body)', message: 'must be valid JSON' }] : undefined));
  });
  app.useGlobalFilters(new ProblemFilter(c.log));
  app.enableShutdownHooks();
  return app;
}
