/** The dashboard's logic without a browser: state → colour and label, countdowns, attention order, offered actions, stream deltas. */
import { describe, expect, it } from 'vitest';
import type { ReleaseDetailView, ReleaseView, TargetView } from '../../apps/api/src/view-types.js';
import { offeredActions } from '../../apps/dashboard/src/logic/actions.js';
import { classify, orderForAttention, readFilters, writeFilters } from '../../apps/dashboard/src/logic/attention.js';
import { ago, bakeFraction, bakeLeft, formatDuration } from '../../apps/dashboard/src/logic/countdown.js';
import { applyChange, isOperatorAction, mergeEvents, upsertRelease } from '../../apps/dashboard/src/logic/release-model.js';
import { progress, releaseState, targetState, verdictColor } from '../../apps/dashboard/src/logic/states.js';
import { RELEASE_STATES, TARGET_STATES } from '#domain';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function release(over: Partial<ReleaseView> = {}): ReleaseView {
  return {
    id: over.id ?? '11111111-1111-4111-8111-111111111111',
    service: 'cart',
    version: '2.0.0',
    image: 'registry.example.com/shop/cart:2.0.0',
    releaseNumber: 1,
    gitSha: null,
    requestedBy: 'ci',
    state: 'running',
    stateReason: null,
    pausedAt: null,
    currentStage: 'canary',
    approvedStage: null,
    createdAt: iso(NOW - 60_000),
    startedAt: iso(NOW - 60_000),
    endedAt: null,
    updatedAt: iso(NOW - 30_000),
    ...over,
  };
}

function target(region: string, state: string, over: Partial<TargetView> = {}): TargetView {
  return {
    region,
    stageIndex: 0,
    state,
    reason: null,
    workloads: [],
    previousImages: null,
    deployStartedAt: null,
    patchedAt: null,
    rolloutCompletedAt: null,
    bakeEndsAt: null,
    verifiedAt: null,
    failedAt: null,
    rollbackStartedAt: null,
    rolledBackAt: null,
    blockedReason: null,
    drain: null,
    gates: {},
    ...over,
  } as TargetView;
}

function detail(r: ReleaseView, targets: TargetView[]): ReleaseDetailView {
  const stage = (index: number, name: string) => ({
    index,
    name,
    kind: index === 0 ? 'canary' : 'wave',
    bakeMs: 60_000,
    maxParallel: 1,
    approval: 'none',
    onFailure: 'rollback',
    regions: targets.filter((t) => t.stageIndex === index),
  });
  return { ...r, plan: {} as ReleaseDetailView['plan'], stages: [stage(0, 'canary'), stage(1, 'wave-1')] } as ReleaseDetailView;
}

describe('states', () => {
  it('gives every release and target state a label and one of the palette colours', () => {
    for (const s of RELEASE_STATES) expect(releaseState(s).color, s).toMatch(/^#[0-9a-f]{6}$/);
    for (const s of TARGET_STATES) expect(targetState(s).label, s).not.toBe('');
    expect(releaseState('awaiting_approval').label).toBe('awaiting approval');
    expect(releaseState('failed').tone).toBe('bad');
    expect(releaseState('succeeded').tone).toBe('ok');
    expect(targetState('baking').tone).toBe('active');
    expect(targetState('rolled_back').tone).toBe('rollback');
  });

  it('a pending region held by a blocker reads blocked; verdicts have colours', () => {
    expect(targetState('pending', 'deployment window closed').label).toBe('blocked');
    expect(targetState('pending', null).label).toBe('pending');
    expect(verdictColor('fail')).toBe(releaseState('failed').color);
    expect(verdictColor('pass')).toBe(releaseState('succeeded').color);
  });

  it('progress counts verified and skipped regions', () => {
    expect(progress(['verified', 'baking', 'pending', 'skipped'])).toEqual({ done: 2, total: 4, fraction: 0.5 });
    expect(progress([]).fraction).toBe(0);
  });
});

describe('countdowns', () => {
  it('formats durations as an operator reads them', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(-5000)).toBe('0s');
    expect(formatDuration(12_400)).toBe('12s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
  });

  it('counts the bake down, frozen while paused, and never below zero', () => {
    expect(bakeLeft(iso(NOW + 90_000), NOW)).toEqual({ ms: 90_000, text: '1m 30s left' });
    expect(bakeLeft(iso(NOW - 1000), NOW)!.ms).toBe(0);
    expect(bakeLeft(iso(NOW + 90_000), NOW + 60_000, iso(NOW))!.text).toBe('1m 30s left (paused)');
    expect(bakeLeft(null, NOW)).toBeNull();
    expect(bakeFraction(iso(NOW + 15_000), 60_000, NOW)).toBe(0.75);
    expect(bakeFraction(iso(NOW - 15_000), 60_000, NOW)).toBe(1);
    expect(ago(iso(NOW - 2000), NOW)).toBe('just now');
    expect(ago(iso(NOW - 120_000), NOW)).toBe('2m 00s ago');
  });
});

describe('attention order', () => {
  const r = (id: string, state: ReleaseView['state'], over: Partial<ReleaseView> = {}) => release({ id, state, ...over });

  it('puts what needs an operator first (failed, rolling back, paused, awaiting approval, draining, blocked), then running, queued, ended', () => {
    const list = [
      r('ok', 'succeeded', { endedAt: iso(NOW - 1000), updatedAt: iso(NOW - 1000) }),
      r('run', 'running'),
      r('q', 'queued'),
      r('appr', 'awaiting_approval'),
      r('blocked', 'running'),
      r('drain', 'running'),
      r('paused', 'paused'),
      r('rb', 'rolling_back'),
      r('fail', 'failed', { endedAt: iso(NOW - 3600_000) }),
      r('oldfail', 'failed', { endedAt: iso(NOW - 48 * 3600_000), updatedAt: iso(NOW - 48 * 3600_000) }),
    ];
    const hints = new Map([
      ['blocked', { blockedReason: 'deployment window closed' }],
      ['drain', { draining: true }],
    ]);
    const order = orderForAttention(list, hints, NOW);
    expect(order.map((i) => i.release.id)).toEqual(['fail', 'rb', 'paused', 'appr', 'drain', 'blocked', 'run', 'q', 'ok', 'oldfail']);
    expect(order.slice(0, 6).every((i) => i.group === 'needs-attention')).toBe(true);
    expect(order.find((i) => i.release.id === 'blocked')!.why).toBe('waiting: deployment window closed');
  });

  it('says who may approve, and the oldest waiting release comes first in its rank', () => {
    expect(classify(r('a', 'awaiting_approval', { currentStage: 'wave-2' }), {}, NOW).why).toBe(
      'awaiting approval of wave-2 (any token with releases:operate may approve)',
    );
    const older = r('older', 'paused', { updatedAt: iso(NOW - 600_000) });
    const newer = r('newer', 'paused', { updatedAt: iso(NOW - 1000) });
    expect(orderForAttention([newer, older], new Map(), NOW).map((i) => i.release.id)).toEqual(['older', 'newer']);
  });

  it('keeps filters in the URL', () => {
    expect(writeFilters({ service: 'cart', state: 'paused' })).toBe('?service=cart&state=paused');
    expect(writeFilters({})).toBe('');
    expect(readFilters('?service=cart&state=paused')).toEqual({ service: 'cart', state: 'paused' });
    expect(readFilters('?service=')).toEqual({});
  });
});

describe('actions', () => {
  const d = (state: ReleaseView['state'], targets: TargetView[]) => detail(release({ state }), targets);
  const names = (o: ReturnType<typeof offeredActions>) => o.map((x) => (x.region ? `${x.action}:${x.region}` : x.action));

  it('offers only what the state allows', () => {
    const baking = target('us-west', 'baking', { bakeEndsAt: iso(NOW + 30_000) });
    expect(names(offeredActions(d('running', [baking, target('us-east', 'pending', { stageIndex: 1 })]), ['admin'], NOW))).toEqual([
      'pause',
      'promote',
      'rollback',
    ]);
    expect(names(offeredActions(d('running', [target('us-west', 'pending')]), ['admin'], NOW))).toEqual(['pause', 'rollback', 'cancel']);
    expect(names(offeredActions(d('awaiting_approval', [target('us-west', 'verified')]), ['admin'], NOW))).toEqual([
      'approve',
      'pause',
      'rollback',
    ]);
    expect(names(offeredActions(d('paused', [target('us-west', 'failed'), target('us-east', 'verified')]), ['admin'], NOW))).toEqual([
      'resume',
      'retry:us-west',
      'rollback',
    ]);
    expect(names(offeredActions(d('queued', []), ['admin'], NOW))).toEqual(['cancel']);
    for (const s of ['succeeded', 'rolled_back', 'failed', 'cancelled', 'rolling_back'] as const)
      expect(offeredActions(d(s, []), ['admin'], NOW), s).toEqual([]);
    expect(offeredActions(d('running', [baking]), ['admin'], NOW).find((o) => o.action === 'promote')!.reasonRequired).toBe(true);
  });

  it('a token without releases:operate gets the buttons disabled with the scope named', () => {
    const offers = offeredActions(d('running', [target('us-west', 'pending')]), ['read'], NOW);
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.every((o) => o.disabled === 'needs scope releases:operate')).toBe(true);
    expect(offeredActions(d('running', []), ['releases:operate'], NOW).every((o) => o.disabled === null)).toBe(true);
  });
});

describe('stream deltas', () => {
  it('replace the release row and the changed target only', () => {
    const before = detail(release(), [target('us-west', 'baking'), target('us-east', 'pending', { stageIndex: 1 })]);
    const event = {
      id: '7',
      type: 'region.verified',
      region: 'us-west',
      fromState: 'baking',
      toState: 'verified',
      actor: 'tideline',
      reason: null,
      data: null,
      at: iso(NOW),
    };
    const after = applyChange(before, { event, release: release({ currentStage: 'wave-1' }), target: target('us-west', 'verified') });
    expect(after.currentStage).toBe('wave-1');
    expect(after.stages[0]!.regions[0]!.state).toBe('verified');
    expect(after.stages[1]!.regions[0]).toBe(before.stages[1]!.regions[0]);
    expect(applyChange(before, { event, release: release({ id: 'other' }), target: null })).toBe(before);
    expect(mergeEvents([event], [event, { ...event, id: '5' }]).map((e) => e.id)).toEqual(['5', '7']);
    expect(isOperatorAction({ actor: 'ops', type: 'release.rolling_back' })).toBe(true);
    expect(isOperatorAction({ actor: 'tideline', type: 'region.verified' })).toBe(false);
    expect(upsertRelease([release()], release({ state: 'paused' }))[0]!.state).toBe('paused');
    expect(upsertRelease([release()], release({ id: 'new' }))).toHaveLength(2);
  });
});
