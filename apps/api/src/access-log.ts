/**
 * The access log: method, path, status, actor, duration — never headers, and never the value of
 * a query parameter that could be a secret: one whose name looks like one (`access_token`,
 * `api_key`, …) or that the route does not take (a client that put its token in the URL).
 */
import type { ServerResponse } from 'node:http';
import { REDACTED } from '#config';
import type { AuthedRequest } from './auth.js';
import { shownName } from './input-guards.js';
import { pathOnly, queryOnly, routeFor } from './route-table.js';

const QUIET_PATHS = ['/healthz', '/readyz', '/metrics'];
const SECRET_NAME = /token|secret|passw|pwd|key|auth|sig|session|cookie|credential|bearer|jwt|code/i;

/** The URL as it may be logged: declared, harmless query values kept, every other value redacted. */
export function loggableUrl(method: string | undefined, url: string): string {
  const path = pathOnly(url);
  const query = queryOnly(url);
  if (query === '') return path;
  const declared = new Set(Object.keys(routeFor(method, url)?.route.query?.shape ?? {}));
  const parts = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const decoded = safeDecode(name);
    if (declared.has(decoded) && !SECRET_NAME.test(decoded)) return pair;
    const shown = shownName(decoded) === decoded ? name : REDACTED;
    return eq < 0 ? shown : `${shown}=${REDACTED}`;
  });
  return `${path}?${parts.join('&')}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export function accessLog(log: { info(o: object, m?: string): void }) {
  return (req: AuthedRequest, res: ServerResponse, next: () => void): void => {
    const started = Date.now();
    res.on('finish', () => {
      const url = req.originalUrl ?? req.url ?? '';
      if (QUIET_PATHS.includes(pathOnly(url))) return;
      log.info(
        {
          method: req.method,
          url: loggableUrl(req.method, url),
          status: res.statusCode,
          actor: req.principal?.actor ?? null,
          ms: Date.now() - started,
        },
        'request',
      );
    });
    next();
  };
}
