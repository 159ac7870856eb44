/** The API edge's pure parts: unsafe strings, bigint ids, JSON content types, route matching, the loggable URL. */
import { describe, expect, it } from 'vitest';
import { loggableUrl } from '../../apps/api/src/access-log.js';
import { isJsonContentType } from '../../apps/api/src/edge.js';
import { bigintId, shownName, unsafeStrings, unsafeText } from '../../apps/api/src/input-guards.js';
import { routeFor, routesFor } from '../../apps/api/src/route-table.js';

describe('API edge', () => {
  it('finds NUL and lone surrogates anywhere, keys included, in linear time', () => {
    expect(unsafeText('ok 😀')).toBeNull();
    expect(unsafeText('a\u0000')).toMatch(/NUL/);
    expect(unsafeText('\ud800x')).toMatch(/lone surrogate/);
    expect(unsafeText('x\udc00')).toMatch(/lone surrogate/);
    const name = (p: PropertyKey[]) => p.map(String).join('.');
    expect(
      unsafeStrings({ a: ['ok', 'b\u0000'], c: { d: '\ud83d' }, 'k\u0000': 1 }, name)
        .map((p) => p.field)
        .sort(),
    ).toEqual(['a.1', 'c.d', 'k\u0000']);
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const started = Date.now();
    expect(unsafeStrings(deep, () => 'deep')).toEqual([{ field: 'deep', message: expect.stringMatching(/NUL/) as string }]);
    // linear: ~10 ms here; the quadratic walk it replaced copied the path at every level and took minutes
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('bounds ids at bigint and hides names that could be tokens', () => {
    expect(bigintId('an event id').safeParse('9223372036854775807').success).toBe(true);
    expect(bigintId('an event id').safeParse('9223372036854775808').success).toBe(false);
    expect(bigintId('an event id').safeParse('x').success).toBe(false);
    expect(bigintId('an event id').safeParse('-1').success).toBe(false);
    expect(shownName('colour')).toBe('colour');
    expect(shownName('tl_test_0123456789abcdef0123456789abcdef')).toBe('(a name not shown)');
  });

  it('takes application/json in UTF-8 only', () => {
    for (const ok of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset="UTF8"'])
      expect(isJsonContentType(ok), ok).toBe(true);
    for (const bad of ['', 'text/plain', 'application/json; charset=latin1', 'application/merge-patch+json', 'application/jsonx'])
      expect(isJsonContentType(bad), bad).toBe(false);
  });

  it('matches the declared routes (405 material when only the path matches)', () => {
    expect(routeFor('POST', '/v1/releases/abc/pause?x=1')?.route.path).toBe('/v1/releases/{id}/pause');
    expect(routeFor('HEAD', '/v1/releases/')?.route.path).toBe('/v1/releases');
    expect(routeFor('PUT', '/v1/releases/abc')).toBeNull();
    expect(routesFor('/v1/releases/abc').map((r) => r.route.method)).toEqual(['get']);
    expect(routesFor('/v1/nothing')).toEqual([]);
  });

  it('logs only declared, harmless query values', () => {
    expect(loggableUrl('GET', '/v1/releases?limit=5&access_token=abc&colour=red')).toBe(
      '/v1/releases?limit=5&access_token=[redacted]&colour=[redacted]',
    );
    expect(loggableUrl('GET', '/v1/regions?tl_test_0123456789abcdef0123456789abcdef')).toBe('/v1/regions?[redacted]');
    expect(loggableUrl('GET', '/v1/releases/x/events?after=9&token=t')).toBe('/v1/releases/x/events?after=9&token=[redacted]');
    expect(loggableUrl('POST', '/v1/releases')).toBe('/v1/releases');
  });
});
