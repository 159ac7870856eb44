/** The API's routes as the OpenAPI document declares them, matched against a raw request URL. */
import { ROUTES, type RouteDoc } from './openapi.js';

export interface RouteMatch {
  route: RouteDoc;
  /** raw (still percent-encoded) path parameters by name */
  params: Record<string, string>;
}

interface Compiled {
  route: RouteDoc;
  /** per path segment: its parameter's name, or the literal in lower case */
  segments: Array<{ param: string } | { literal: string }>;
  /** how many literal segments (the more, the more specific) */
  literals: number;
}

const COMPILED: Compiled[] = ROUTES.map((route) => {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((seg) => (seg.startsWith('{') ? { param: seg.slice(1, -1) } : { literal: seg.toLowerCase() }));
  return { route, segments, literals: segments.filter((s) => 'literal' in s && s.literal !== '').length };
});

/** The path of a raw URL, without query and trailing slash. */
export function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return (q < 0 ? url : url.slice(0, q)).replace(/(.)\/+$/, '$1');
}

/** The query string of a raw URL ('' when none). */
export function queryOnly(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

function matches(c: Compiled, parts: string[]): Record<string, string> | null {
  if (c.segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = c.segments[i]!;
    const part = parts[i]!;
    if ('param' in seg) {
      if (part === '') return null;
      params[seg.param] = part;
    } else if (seg.literal !== part.toLowerCase()) {
      return null; // Express routes case-insensitively
    }
  }
  return params;
}

/** Every declared route whose path matches (whatever the method). */
export function routesFor(url: string): RouteMatch[] {
  const parts = pathOnly(url).split('/').slice(1);
  const found: RouteMatch[] = [];
  for (const c of COMPILED) {
    const params = matches(c, parts);
    if (params) found.push({ route: c.route, params });
  }
  return found;
}

/** The declared route for this method and URL (HEAD is served by GET), or null. */
export function routeFor(method: string | undefined, url: string): RouteMatch | null {
  const m = (method ?? 'GET').toLowerCase() === 'head' ? 'get' : (method ?? 'GET').toLowerCase();
  const parts = pathOnly(url).split('/').slice(1);
  // the most specific match; among equals the first declared (as a stable sort would pick)
  let best: { c: Compiled; params: Record<string, string> } | null = null;
  for (const c of COMPILED) {
    if (c.route.method !== m || (best && c.literals <= best.c.literals)) continue;
    const params = matches(c, parts);
    if (params) best = { c, params };
  }
  return best && { route: best.c.route, params: best.params };
}
