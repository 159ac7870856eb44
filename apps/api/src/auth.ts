/**
 * Bearer-token auth. Authentication is an Express middleware that runs before anything else
 * (no token → 401, before the body is even parsed); authorization checks the route's scopes
 * before the body is read too (edge.ts, from the OpenAPI route table: wrong scope → 403), and
 * again in a Nest guard against the handler's `@Scopes()`. `admin` holds every scope. The token's name is
 * the actor of everything done with it. Tokens are compared as SHA-256 digests with
 * timingSafeEqual and never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createParamDecorator, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { ApiToken, Scope } from '#config';
import { ForbiddenError, problem, sendProblem } from './problem.filter.js';

export const SCOPES_KEY = 'tideline:scopes';
export const PUBLIC_KEY = 'tideline:public';
/** Paths served without a token, whoever serves them (probes, metrics, the API description). */
export const PUBLIC_PATHS: readonly string[] = ['/healthz', '/readyz', '/metrics', '/docs', '/docs/openapi.json'];
export const ANONYMOUS = 'anonymous';

/** The scopes a route needs (any one of them; `admin` always does). */
export const Scopes = (...scopes: Scope[]) => SetMetadata(SCOPES_KEY, scopes);
/** A route that needs no token. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export interface Principal {
  actor: string;
  scopes: readonly Scope[];
}

export type AuthedRequest = IncomingMessage & { principal?: Principal; originalUrl?: string };

/** The actor of the request: the token's name (or "anonymous" with auth disabled). */
export const Actor = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  return ctx.switchToHttp().getRequest<AuthedRequest>().principal?.actor ?? ANONYMOUS;
});

export class TokenAuthenticator {
  private readonly tokens: Array<{ token: ApiToken; digest: Buffer }>;

  constructor(tokens: readonly ApiToken[]) {
    this.tokens = tokens.map((token) => ({ token, digest: Buffer.from(token.sha256, 'hex') }));
  }

  /** The configured token the presented one hashes to, or null. Compares against every token. */
  authenticate(presented: string): ApiToken | null {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: ApiToken | null = null;
    for (const t of this.tokens) if (timingSafeEqual(digest, t.digest) && found === null) found = t.token;
    return found;
  }
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
}

function unauthorized(res: ServerResponse, detail: string, invalid: boolean): void {
  res.setHeader('WWW-Authenticate', `Bearer realm="tideline"${invalid ? ', error="invalid_token"' : ''}`);
  sendProblem(res, problem(401, detail));
}

/** Express middleware: identifies the caller; every path but the public ones needs a valid token. */
export function authenticate(authn: TokenAuthenticator, disabled: boolean) {
  return (req: AuthedRequest, res: ServerResponse, next: () => void): void => {
    if (disabled) {
      req.principal = { actor: ANONYMOUS, scopes: ['admin'] };
      return next();
    }
    if (PUBLIC_PATHS.includes(pathOf(req))) return next();
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '')
      return unauthorized(res, 'a bearer token is required: send Authorization: Bearer <token>', false);
    const m = /^Bearer +(\S+)$/i.exec(header.trim());
    if (!m) return unauthorized(res, 'the Authorization header must be "Bearer <token>"', true);
    const token = authn.authenticate(m[1]!);
    if (!token) return unauthorized(res, 'the bearer token is not valid', true);
    req.principal = { actor: token.name, scopes: token.scopes };
    next();
  };
}

/** Throws 403 unless the caller holds one of `required` (or admin). */
export function requireScope(p: Principal | undefined, required: readonly Scope[]): void {
  if (!p) throw new ForbiddenError('no caller identity');
  if (p.scopes.includes('admin') || required.some((s) => p.scopes.includes(s))) return;
  throw new ForbiddenError(`token ${p.actor} lacks scope ${required.join(' or ')} (it has ${p.scopes.join(', ')})`);
}

/** Nest guard: the route's declared scopes against the caller's. A route without a declaration is refused. */
export class ScopeGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly log: { error(o: object, m?: string): void },
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    if (PUBLIC_PATHS.includes(pathOf(req))) return true;
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets);
    if (!required || required.length === 0) {
      this.log.error({ handler: `${ctx.getClass().name}.${ctx.getHandler().name}` }, 'route declares no scope; refused');
      throw new ForbiddenError('this endpoint declares no scope and is refused to everyone');
    }
    requireScope(req.principal, required);
    return true;
  }
}
