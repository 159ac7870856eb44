/**
 * Serves the dashboard (dist/dashboard, built by Vite) on the API's origin, before auth: the
 * page and its client-side routes answer index.html (no-cache), hashed assets are immutable.
 * Every answer carries a Content-Security-Policy that allows only this origin (no inline script).
 * Only these paths skip the token; nothing under /v1 ever does.
 */
import express from 'express';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { problem, sendProblem } from './problem.filter.js';

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const ROUTE = /^\/(?:releases\/[0-9a-f-]{36}|regions|audit)?$/i;
const ASSET = /^\/assets\/[\w.-]+\.(?:js|css|svg|png|woff2?)$/;
const FILES = new Set(['/favicon.svg']);

/** The paths the dashboard serves without a token (the page, its routes and its files). */
export function isDashboardPath(path: string): boolean {
  return ROUTE.test(path) || ASSET.test(path) || FILES.has(path);
}

export function dashboardDir(): string {
  return process.env.TIDELINE_DASHBOARD_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../dashboard');
}

function security(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

export function serveDashboard(dir = dashboardDir()) {
  const indexFile = join(dir, 'index.html');
  let index: Buffer | null = null;
  const assets = express.static(dir, {
    index: false,
    fallthrough: false,
    setHeaders: (res, file) => {
      security(res);
      res.setHeader(
        'Cache-Control',
        file.includes(`${join(dir, 'assets')}/`) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
      );
    },
  });
  return (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isDashboardPath(path)) return next();
    if (!ROUTE.test(path))
      return assets(req as express.Request, res as express.Response, (err?: unknown) =>
        err ? sendProblem(res, problem(404, `no such file: ${path}`)) : next(),
      );
    index ??= existsSync(indexFile) ? readFileSync(indexFile) : null;
    if (!index) return sendProblem(res, problem(404, `the dashboard is not built (no ${indexFile}): run npm run build`));
    security(res);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.end(req.method === 'HEAD' ? undefined : index);
  };
}
