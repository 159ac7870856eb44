/** Build the Nest HTTP application around a container (used by main.ts and the demo). */
import 'reflect-metadata';
import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import type { ApiContainer } from '#runtime';
import { AppModule } from './app.module.js';
import { accessLog } from './access-log.js';
import { authenticate, ScopeGuard, TokenAuthenticator } from './auth.js';
import { serveDashboard } from './dashboard-static.js';
import { edgeChecks } from './edge.js';
import { answerClientErrors, bodyErrors, verifyUtf8 } from './http-errors.js';
import { PinoNestLogger } from './nest-logger.js';
import { ProblemFilter } from './problem.filter.js';
import { invalidateOnWrite, ReadCache } from './read-cache.js';

/** Refuses to build an API nobody could be held accountable for: tokens, or TIDELINE_AUTH=disabled. */
export function checkAuthSetup(c: Pick<ApiContainer, 'config' | 'settings' | 'log'>): void {
  if (c.settings.authDisabled) {
    c.log.warn(
      { auth: 'disabled' },
      'TIDELINE_AUTH=disabled: the API accepts requests without a token and records every actor as "anonymous"; never run it like this in production',
    );
    return;
  }
  if (c.config.auth.tokens.length === 0) {
    throw new Error(
      'no API tokens are configured (tideline.yaml auth.tokens: [{ name, scopes, sha256 | tokenEnv }]): refusing to start; set TIDELINE_AUTH=disabled to run without authentication (local use only)',
    );
  }
}

/** `shutdownHooks: false` leaves SIGINT/SIGTERM to the caller (the demo cleans up before it exits). */
export async function createHttpApp(c: ApiContainer, opts: { shutdownHooks?: boolean } = {}): Promise<NestExpressApplication> {
  checkAuthSetup(c);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forContainer(c), {
    bodyParser: false,
    logger: new PinoNestLogger(c.log),
  });
  // Access log: method, path, status, actor, duration. Never headers (the token is one), never a secret-looking query value.
  app.use(accessLog(c.log));
  // A write through this process drops the hot reads' short-lived answers (read-cache.ts).
  app.use(invalidateOnWrite(app.get(ReadCache)));
  // The dashboard's page and hashed assets: no token needed (nothing under /v1), answered before auth and the edge checks.
  app.use(serveDashboard());
  app.use(authenticate(new TokenAuthenticator(c.config.auth.tokens), c.settings.authDisabled));
  // Before the body is read: 404/405, the token's scope (403), path and query parameters (400), JSON only (415).
  app.use(edgeChecks());
  app.use(express.json({ limit: '256kb', strict: true, type: 'application/json', verify: verifyUtf8 }));
  // Body-parser failures (malformed JSON, too large, bad encoding) become problem+json 4xx naming what is wrong.
  app.use(bodyErrors());
  app.useGlobalGuards(new ScopeGuard(app.get(Reflector), c.log));
  app.useGlobalFilters(new ProblemFilter(c.log));
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  answerClientErrors(app.getHttpServer(), c.log);
  return app;
}
