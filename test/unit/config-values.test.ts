import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, Secret } from '#config';
import { interpolateString } from '../../libs/config/src/interpolate.js';

describe('parseDuration', () => {
  it.each([
    ['0s', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1m30s', 90_000],
    ['1s500ms', 1_500],
    ['1d2h3m4s5ms', 93_784_005],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', '1.5s', '-1s', '30 s', '1m1h', '10M', '1h1h', 's', 'ms', '1w', '99999999999999999999d'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/duration/);
  });

  it('says what a duration looks like', () => {
    expect(() => parseDuration('soon')).toThrow('must be a duration like 30s (got "soon")');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [30_000, '30s'],
    [600_000, '10m'],
    [5_400_000, '1h30m'],
    [172_800_000, '2d'],
    [1_500, '1s500ms'],
    [93_784_005, '1d2h3m4s5ms'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it('rejects negative and non-finite values', () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError);
    expect(() => formatDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('Secret', () => {
  const secret = new Secret('hunter2-s3cret');

  it('reveals its value only on request', () => {
    expect(secret.reveal()).toBe('hunter2-s3cret');
  });

  it('is redacted in strings, JSON and inspect', () => {
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ token: secret })).toBe('{"token":"[redacted]"}');
    expect(inspect({ token: secret }, { depth: 10 })).toBe('{ token: [redacted] }');
    expect(inspect(secret, { showHidden: true })).not.toContain('hunter2');
    expect(Object.keys(secret)).toEqual([]);
  });
});

describe('interpolateString', () => {
  const env = { HOST: 'sim.local', EMPTY: '' };
  const run = (text: string) => {
    const problems: string[] = [];
    return { value: interpolateString(text, env, problems), problems };
  };

  it('substitutes variables and defaults', () => {
    expect(run('http://${HOST}:7070')).toEqual({ value: 'http://sim.local:7070', problems: [] });
    expect(run('${MISSING:-http://127.0.0.1:7070}/x')).toEqual({ value: 'http://127.0.0.1:7070/x', problems: [] });
    expect(run('${HOST:-fallback}')).toEqual({ value: 'sim.local', problems: [] });
    expect(run('[${EMPTY}]')).toEqual({ value: '[]', problems: [] });
    expect(run('${EMPTY:-used-when-empty}')).toEqual({ value: 'used-when-empty', problems: [] });
    expect(run('${MISSING:-}')).toEqual({ value: '', problems: [] });
  });

  it('keeps $VAR, escaped $${ and plain dollars literal', () => {
    expect(run('$HOST costs $5 and $${HOST}')).toEqual({ value: '$HOST costs $5 and ${HOST}', problems: [] });
  });

  it('reports unset variables and malformed references', () => {
    expect(run('${NOPE}').problems).toEqual(['environment variable NOPE is not set']);
    expect(run('${1BAD}').problems).toEqual(['invalid variable reference "${1BAD}": write ${VAR} or ${VAR:-default}']);
    expect(run('abc ${HOST').problems).toEqual(['unterminated "${": write ${VAR} or ${VAR:-default} (or $${ for a literal "${")']);
  });
});
