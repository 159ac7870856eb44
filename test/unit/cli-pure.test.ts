/** The CLI's pure parts: state → exit code, durations, the progress tree, plain progress lines, tables, API error mapping. */
import { AxiosError, AxiosHeaders } from 'axios';
import { describe, expect, it } from 'vitest';
import { toCliError } from '../../apps/cli/src/client.js';
import { humanDuration, parseFlagDuration, UsageError } from '../../apps/cli/src/duration.js';
import { EXIT, outcomeFor } from '../../apps/cli/src/exit-codes.js';
import { table } from '../../apps/cli/src/output.js';
import { progressLines } from '../../apps/cli/src/progress-lines.js';
import type { ReleaseView } from '../../apps/cli/src/release-view.js';
import { renderTree } from '../../apps/cli/src/render-tree.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');

function release(over: Partial<ReleaseView> = {}, regions: Record<string, Partial<ReleaseView['stages'] & object>> = {}): ReleaseView {
  const target = (region: string) => ({
    region,
    state: 'pending',
    reason: null,
    bakeEndsAt: null,
    blockedReason: null,
    gates: {},
    ...(regions[region] ?? {}),
  });
  return {
    id: 'r1',
    service: 'checkout',
    version: '2.0.0',
    image: 'reg/checkout:2.0.0',
    releaseNumber: 7,
    state: 'running',
    stateReason: null,
    currentStage: 'canary',
    stages: [
      {
        index: 0,
        name: 'canary',
        kind: 'canary',
        bakeMs: 600_000,
        maxParallel: 1,
        approval: 'none',
        onFailure: 'rollback',
        regions: [target('us-west')],
      },
      {
        index: 1,
        name: 'wave-1',
        kind: 'wave',
        bakeMs: 600_000,
        maxParallel: 2,
        approval: 'required',
        onFailure: 'rollback',
        regions: [target('eu-west'), target('eu-north')],
      },
    ],
    ...over,
  };
}

describe('exit codes', () => {
  it('maps every release state to its code, honouring --until', () => {
    const code = (state: string, until?: 'succeeded' | 'approved' | 'paused') => {
      const o = outcomeFor(state, until);
      return o.done ? o.code : 'wait';
    };
    expect(code('succeeded')).toBe(0);
    expect(code('rolled_back')).toBe(1);
    expect(code('failed')).toBe(1);
    expect(code('cancelled')).toBe(4);
    expect(code('superseded')).toBe(4);
    expect(code('awaiting_approval')).toBe(5);
    expect(code('paused')).toBe(5);
    expect(code('awaiting_approval', 'approved')).toBe(0);
    expect(code('paused', 'approved')).toBe(5);
    expect(code('paused', 'paused')).toBe(0);
    expect(code('awaiting_approval', 'paused')).toBe(5);
    expect(code('succeeded', 'paused')).toBe(0);
    for (const s of ['queued', 'running', 'rolling_back']) expect(code(s)).toBe('wait');
    expect(new Set(Object.values(EXIT)).size).toBe(Object.values(EXIT).length);
  });
});

describe('durations', () => {
  it('parses flags like the config files, bare numbers as seconds, and names the flag when wrong', () => {
    expect(parseFlagDuration('--timeout', '2h')).toBe(7_200_000);
    expect(parseFlagDuration('--timeout', '1h30m')).toBe(5_400_000);
    expect(parseFlagDuration('--timeout', '90')).toBe(90_000);
    expect(() => parseFlagDuration('--timeout', 'soon')).toThrow(UsageError);
    expect(() => parseFlagDuration('--timeout', 'soon')).toThrow(/^--timeout: must be a duration like 30s, 10m or 2h/);
    expect(() => parseFlagDuration('--timeout', '0s')).toThrow(/--timeout/);
  });
  it('shows countdowns in whole seconds with at most two units', () => {
    expect(humanDuration(1)).toBe('1s');
    expect(humanDuration(59_001)).toBe('1m');
    expect(humanDuration(90_000)).toBe('1m30s');
    expect(humanDuration(3_723_000)).toBe('1h2m');
    expect(humanDuration(-5)).toBe('0s');
  });
});

describe('progress tree', () => {
  it('draws stages and regions with glyphs, bake countdowns, blockers and failing gates', () => {
    const r = release({}, {
      'us-west': {
        state: 'baking',
        bakeEndsAt: new Date(NOW + 83_000).toISOString(),
        gates: {
          errors: { lastVerdict: 'fail', evaluations: 2, failed: false },
          latency: { lastVerdict: 'pass', evaluations: 2, failed: false },
        },
      },
      'eu-west': { blockedReason: 'deployment window closed until 09:00' },
    } as never);
    expect(renderTree(r, NOW)).toEqual([
      'checkout 2.0.0 #7  running',
      '├─ canary (bake 10m) ◀',
      '│  └─ ◷ us-west  baking · 1m23s left · gates errors: fail',
      '└─ wave-1 (max 2 at once, bake 10m, approval required)',
      '   ├─ ⏸ eu-west   blocked: deployment window closed until 09:00',
      '   └─ · eu-north  pending',
    ]);
  });
  it('paints through the given function only', () => {
    const painted = renderTree(release(), NOW, (tone, text) => `<${tone}>${text}</${tone}>`).join('\n');
    expect(painted).toContain('<busy>running</busy>');
    expect(renderTree(release(), NOW).join('\n')).not.toMatch(/\x1b/);
  });
});

describe('plain progress lines', () => {
  it('says each change once, in order, and nothing when nothing changed', () => {
    const a = release();
    expect(progressLines(null, a, NOW)).toEqual(['release running', 'stage canary (us-west)']);
    expect(progressLines(a, a, NOW)).toEqual([]);
    const b = release({}, { 'us-west': { state: 'baking', bakeEndsAt: new Date(NOW + 600_000).toISOString() } } as never);
    expect(progressLines(a, b, NOW)).toEqual(['canary us-west: baking (bake ends in 10m)']);
    const c = release({ state: 'rolling_back', stateReason: 'gate errors failed in us-west' }, {
      'us-west': {
        state: 'failed',
        reason: 'gate errors: 0.05 > 0.01',
        gates: { errors: { lastVerdict: 'fail', evaluations: 3, failed: true } },
      },
    } as never);
    expect(progressLines(b, c, NOW)).toEqual([
      'release rolling_back: gate errors failed in us-west',
      'canary us-west: failed: gate errors: 0.05 > 0.01',
      'canary us-west: gate errors: failed',
    ]);
    const d = release({ currentStage: 'wave-1' }, {
      'us-west': { state: 'verified' },
      'eu-west': { blockedReason: 'alert firing in eu-west: HighErrors' },
    } as never);
    expect(progressLines(release({}, { 'us-west': { state: 'verified' } } as never), d, NOW)).toEqual([
      'stage wave-1 (eu-west, eu-north)',
      'wave-1 eu-west: blocked: alert firing in eu-west: HighErrors',
    ]);
    for (const line of progressLines(null, c, NOW)) expect(line).not.toMatch(/\x1b/);
  });
});

describe('tables', () => {
  it('aligns columns and shows missing values as -', () => {
    expect(
      table(
        ['id', 'state', 'reason'],
        [
          ['a', 'running', null],
          ['bbbb', 'succeeded', 'ok'],
        ],
      ),
    ).toEqual(['ID    STATE      REASON', 'a     running    -', 'bbbb  succeeded  ok']);
  });
});

describe('API errors', () => {
  const httpError = (status: number, data: unknown) =>
    new AxiosError(
      'x',
      'ERR_BAD_REQUEST',
      undefined,
      {},
      { status, statusText: '', data, headers: {}, config: { headers: new AxiosHeaders() } },
    );
  it('maps problem+json, refused tokens and unreachable APIs to exit codes', () => {
    const bad = toCliError(
      httpError(400, { status: 400, detail: 'invalid request', errors: [{ field: 'image', message: 'must be pinned' }] }),
      'http://api',
    );
    expect([bad.exitCode, bad.message, bad.details]).toEqual([2, '400 invalid request', ['  image: must be pinned']]);
    expect(toCliError(httpError(401, { detail: 'missing or invalid token' }), 'http://api').exitCode).toBe(6);
    expect(toCliError(httpError(403, { detail: 'needs releases:create' }), 'http://api').exitCode).toBe(6);
    const conflict = toCliError(httpError(409, { detail: 'cannot pause', state: 'succeeded' }), 'http://api');
    expect([conflict.exitCode, conflict.details]).toEqual([2, ['  state: succeeded']]);
    const changed = toCliError(
      httpError(409, { type: 'about:blank', status: 409, detail: 'key reused with another payload', fields: ['image'], releaseId: 'r1' }),
      'http://api',
    );
    expect([changed.exitCode, changed.details]).toEqual([2, ['  fields: ["image"]', '  releaseId: r1']]);
    const busy = toCliError(httpError(503, { detail: 'busy' }), 'http://api');
    expect([busy.exitCode, busy.transient]).toEqual([6, true]);
    const down = toCliError(new AxiosError('connect ECONNREFUSED', 'ECONNREFUSED'), 'http://api');
    expect([down.exitCode, down.transient, down.message]).toEqual([
      6,
      true,
      'the Tideline API at http://api is unreachable (ECONNREFUSED)',
    ]);
    expect(toCliError(new AxiosError('timeout', 'ECONNABORTED'), 'http://api').message).toMatch(/did not answer in time/);
  });
});
