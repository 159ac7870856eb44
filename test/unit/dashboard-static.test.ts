/** Exactly the dashboard's own paths skip the token; nothing under /v1, no other path. */
import { describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, isDashboardPath } from '../../apps/api/src/dashboard-static.js';

describe('dashboard paths', () => {
  it('serves the page, its client-side routes and its hashed files without a token', () => {
    for (const p of [
      '/',
      '/regions',
      '/audit',
      '/releases/3f0c5b1e-9d2a-4c41-8a57-0b6f2c9e1d7a',
      '/assets/index-MWyF4KwQ.js',
      '/assets/index-CtJvpBHV.css',
      '/favicon.svg',
    ]) {
      expect(isDashboardPath(p), p).toBe(true);
    }
  });

  it('never an API path, a path outside the routes, or a traversal', () => {
    for (const p of [
      '/v1/releases',
      '/v1/stream',
      '/v1/whoami',
      '/releases',
      '/releases/not-a-uuid',
      '/releases/3f0c5b1e-9d2a-4c41-8a57-0b6f2c9e1d7a/events',
      '/regions/eu-west',
      '/assets/../v1/releases',
      '/assets/x.js/../../v1',
      '/index.html',
      '/metrics',
      '/docs',
    ]) {
      expect(isDashboardPath(p), p).toBe(false);
    }
  });

  it('allows scripts and connections to this origin only', () => {
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).toContain("connect-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    expect(DASHBOARD_CSP).not.toContain('unsafe-eval');
  });
});
