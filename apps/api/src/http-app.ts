/** Build the Nest HTTP application around a container (used by main.ts and the demo). */
import 'reflect-metadata';
import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Container } from '../../../libs/runtime/src/index.js';
import { AppModule } from './app.module.js';
import { serveDashboard } from './dashboard-static.js';
import { authenticate, ScopeGuard, TokenAuthenticator, type AuthedRequest } from './auth.js';
import { problem, ProblemFilter, sendProblem } from './problem.filter.js';

const QUIET_PATHS = ['/healthz', '/readyz', '/metrics'];

/** Refuses to build an API nobody could be held accountable for: tokens, or TIDELINE_AUTH=disabled. */
export function checkAuthSetup(c: Pick<Container, 'config' | 'settings' | 'log'>): void {
  if (c.settings.authDisabled) {
    c.log.warn({ auth: 'disabled' }, 'TIDELINE_AUTH=disabled: the API accepts requests without a token and records every actor as "anonymous"; never run it like this in production');
    return;
  }
  if (c.config.auth.tokens.length === 0) {
    throw new Error(
      'no API tokens are configured (tideline.yaml auth.tokens: [{ name, scopes, sha256 | tokenEnv }]): refusing to start; set TIDELINE_AUTH=disabled to run without authentication (local use only)',
    );
  }
}

export async function createHttpApp(c: Container): Promise<NestExpressApplication> {
  checkAuthSetup(c);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forContainer(c), { bodyParser: false, logger: ['error', 'warn'] });
  // Access log: method, path, status, actor, duration. Never headers (the token is one).
  app.use((req: AuthedRequest, res: ServerResponse, next: () => void) => {
    const started = Date.now();
    res.on('finish', () => {
      const path = (req.originalUrl ?? req.url ?? '').split('?')[0] ?? '';
      if (QUIET_PATHS.includes(path)) return;
      c.log.info({ method: req.method, url: req.originalUrl ?? req.url, status: res.statusCode, actor: req.principal?.actor ?? null, ms: Date.now() - started }, 'request');
    });
    next();
  });
  app.use(serveDashboard());
  app.use(authenticate(new TokenAuthenticator(c.config.auth.tokens), c.settings.authDisabled));
  app.use(express.json({ limit: '256kb', strict: true, type: ['application/json', 'application/*+json'] }));
  // Body-parser failures (malformed JSON, too large) become problem+json 4xx, not HTML.
  app.use((err: { status?: number; type?: string; message?: string }, _req: IncomingMessage, res: ServerResponse, next: (e?: unknown) => void) => {
    if (!err) return next();
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
    const detail = err.type === 'entity.parse.failed' ? `request body is not valid JSON: ${err.message ?? ''}` : (err.message ?? 'bad request');
    sendProblem(res, problem(status, detail, err.type === 'entity.parse.failed' ? [{ field: '(body)', message: 'must be valid JSON' }] : undefined));
  });
  app.useGlobalGuards(new ScopeGuard(app.get(Reflector), c.log));
  app.useGlobalFilters(new ProblemFilter(c.log));
  app.enableShutdownHooks();
  return app;
}
