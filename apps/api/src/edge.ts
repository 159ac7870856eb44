/**
 * The request's first checks against the route it targets, before its body is read: unknown
 * path → 404, known path with another method → 405, the token's scope → 403, undecodable path
 * parameters → 400, query parameters the route does not take → 400, a body that is not JSON
 * → 415. Authorization thus comes before anything the body could say.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { FieldProblem } from '#application';
import { PUBLIC_PATHS, requireScope, type AuthedRequest } from './auth.js';
import { problem, sendProblem, toProblem } from './problem.filter.js';
import { shownName } from './input-guards.js';
import { pathOnly, queryOnly, routeFor, routesFor } from './route-table.js';

/** Is this Content-Type JSON in UTF-8 (`application/json`, optionally `; charset=utf-8`)? */
export function isJsonContentType(value: string): boolean {
  const [type, ...params] = value.split(';');
  if (type!.trim().toLowerCase() !== 'application/json') return false;
  for (const p of params) {
    const [name, raw] = p.split('=');
    if (name!.trim().toLowerCase() !== 'charset') continue;
    const charset = (raw ?? '')
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return false;
  }
  return true;
}

/** Does the request announce a body? */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function decodeParams(params: Record<string, string>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [name, raw] of Object.entries(params)) {
    try {
      decodeURIComponent(raw);
    } catch {
      problems.push({ field: name, message: 'is not valid percent-encoded UTF-8' });
    }
  }
  return problems;
}

export function edgeChecks() {
  return (req: AuthedRequest, res: ServerResponse, next: () => void): void => {
    const url = req.url ?? '/';
    const match = routeFor(req.method, url);
    if (!match) {
      if (PUBLIC_PATHS.includes(pathOnly(url))) return next();
      const others = routesFor(url);
      if (others.length === 0) return sendProblem(res, problem(404, 'no such endpoint'));
      const allow = [...new Set(others.flatMap((o) => (o.route.method === 'get' ? ['GET', 'HEAD'] : [o.route.method.toUpperCase()])))];
      res.setHeader('Allow', allow.join(', '));
      return sendProblem(res, problem(405, `${req.method ?? ''} is not allowed here; allowed: ${allow.join(', ')}`));
    }
    const { route, params } = match;
    if (route.scopes !== 'public') {
      try {
        requireScope(req.principal, route.scopes);
      } catch (err) {
        return sendProblem(res, toProblem(err));
      }
    }
    const problems = decodeParams(params);
    if (!route.query) {
      for (const key of Object.keys(parseQuery(queryOnly(url))))
        problems.push({ field: shownName(key), message: 'is not a known query parameter' });
    }
    if (problems.length > 0) return sendProblem(res, problem(400, problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems));
    const contentType = req.headers['content-type'];
    if (route.body && (contentType !== undefined || hasBody(req)) && !isJsonContentType(contentType ?? '')) {
      return sendProblem(
        res,
        problem(415, 'the body must be JSON: send Content-Type: application/json', [
          { field: 'Content-Type', message: 'must be application/json (charset utf-8)' },
        ]),
      );
    }
    next();
  };
}
