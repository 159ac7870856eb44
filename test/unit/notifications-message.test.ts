import { describe, expect, it } from 'vitest';
import { backoffDelay, buildMessage, DEFAULT_APPROVERS, DispatchNotifications, formatValue } from '#application';
import type { DeliveryScheduler, NotificationDestination, NotificationDestinations } from '#application';
import { NOTIFIABLE_EVENT_TYPES, notificationKind, passesSeverity, wantsEvent, type Severity } from '#domain';
import { eventMessage, parentMessage } from '#integrations';
import type { EventRecord, NotificationStore, ReleaseRecord } from '#persistence';

const release: ReleaseRecord = {
  id: '5f0c6a1e-4d0b-4a57-9d1e-2f4b8c9a7e31',
  service: 'checkout',
  version: '2.0.0',
  image: 'registry.example.com/shop/checkout:2.0.0',
  releaseNumber: 12,
  gitSha: null,
  requestedBy: 'ci',
  idempotencyKey: null,
  state: 'running',
  stateReason: null,
  plan: {
    planName: 'standard',
    service: 'checkout',
    stages: [
      {
        index: 0,
        name: 'canary',
        kind: 'canary',
        bakeMs: 1,
        progressDeadlineMs: 1,
        maxParallel: 1,
        onFailure: 'rollback',
        approval: 'none',
        regions: [{ region: 'us-west', workloads: [] }],
      },
      {
        index: 1,
        name: 'wave-1',
        kind: 'wave',
        bakeMs: 1,
        progressDeadlineMs: 1,
        maxParallel: 2,
        onFailure: 'rollback',
        approval: 'required',
        regions: [
          { region: 'eu-west', workloads: [] },
          { region: 'eu-central', workloads: [] },
        ],
      },
    ],
  },
  stageIndex: 0,
  tickSeq: 1,
  nextTickAt: null,
  rowVersion: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  startedAt: new Date(0),
  endedAt: null,
  pausedAt: null,
  approvedStageIndex: null,
};

let nextId = 1;
const event = (type: string, extra: Partial<EventRecord> = {}): EventRecord => ({
  id: String(nextId++),
  releaseId: release.id,
  type,
  region: null,
  fromState: null,
  toState: null,
  actor: 'tideline',
  reason: null,
  data: null,
  createdAt: new Date('2030-01-01T00:00:00Z'),
  ...extra,
});
const msg = (e: EventRecord) => buildMessage(e, release, 'https://tideline.example.com/')!;

describe('event → notification kind and severity', () => {
  it('maps the transitions that matter, with a severity each, and ignores the rest', () => {
    expect(notificationKind('gate.failed')?.severity).toBe('failure');
    expect(notificationKind('release.rolling_back')?.severity).toBe('failure');
    expect(notificationKind('release.paused')?.severity).toBe('warning');
    expect(notificationKind('release.awaiting_approval')?.severity).toBe('warning');
    expect(notificationKind('region.verified')?.severity).toBe('info');
    for (const ignored of [
      'region.deploying',
      'region.recorded',
      'region.patched',
      'region.baking',
      'region.restore_patched',
      'region.rolling_back',
      'made.up',
      'toString',
      '__proto__',
    ]) {
      expect(notificationKind(ignored), ignored).toBeUndefined();
      expect(buildMessage(event(ignored), release, 'http://x')).toBeNull();
    }
    for (const type of NOTIFIABLE_EVENT_TYPES) expect(msg(event(type)).title.length, type).toBeGreaterThan(0);
  });

  it('filters by minimum severity and by an event list', () => {
    const cases: Array<[Severity, Severity, boolean]> = [
      ['info', 'info', true],
      ['warning', 'info', true],
      ['failure', 'warning', true],
      ['info', 'warning', false],
      ['warning', 'failure', false],
      ['failure', 'failure', true],
    ];
    for (const [severity, min, ok] of cases) expect(passesSeverity(severity, min), `${severity} ≥ ${min}`).toBe(ok);
    expect(wantsEvent('region.verified', { minSeverity: 'failure' })).toBe(false);
    expect(wantsEvent('gate.failed', { minSeverity: 'failure' })).toBe(true);
    expect(wantsEvent('gate.failed', { minSeverity: 'info', events: ['release.succeeded'] })).toBe(false);
    expect(wantsEvent('release.succeeded', { minSeverity: 'info', events: ['release.succeeded'] })).toBe(true);
    expect(wantsEvent('region.patched', { minSeverity: 'info' })).toBe(false);
  });
});

describe('buildMessage', () => {
  it('says what a gate failure measured against its threshold', () => {
    const m = msg(
      event('gate.failed', {
        data: {
          gate: 'error-rate',
          region: 'eu-west',
          verdict: 'fail',
          observed: 0.031234567,
          threshold: { op: '<', value: 0.01 },
          reason: '3 consecutive failures',
        },
      }),
    );
    expect(m.severity).toBe('failure');
    expect(m.text).toBe('error-rate failed in eu-west: 0.03123 (threshold < 0.01)');
    expect(m.region).toBe('eu-west');
    expect(m.stage).toBe('wave-1');
    expect(m.fields).toEqual([
      { label: 'Gate', value: 'error-rate' },
      { label: 'Observed', value: '0.03123' },
      { label: 'Threshold', value: '< 0.01' },
      { label: 'Verdict', value: 'fail' },
      { label: 'Reason', value: '3 consecutive failures' },
    ]);
  });

  it('reads event data defensively: missing or odd fields never throw', () => {
    for (const data of [
      null,
      {},
      { gate: 42, observed: 'NaN', threshold: [1, 2] },
      { observed: { nested: { deep: true } } },
      { approvers: 'ops' },
    ]) {
      for (const type of [
        'gate.failed',
        'gate.errors',
        'region.blocked',
        'release.awaiting_approval',
        'stage.started',
        'release.superseded',
      ]) {
        expect(() => msg(event(type, { data: data as Record<string, unknown> | null })), `${type} ${JSON.stringify(data)}`).not.toThrow();
      }
    }
    expect(msg(event('gate.failed')).text).toBe('a gate failed');
    expect(formatValue({ nested: { deep: true } })).toBe('{"nested":{"deep":true}}');
    expect(formatValue(Number.NaN)).toBe('NaN');
  });

  it('names who can approve', () => {
    expect(msg(event('release.awaiting_approval', { data: { stage: 'wave-1' } })).fields[0]).toEqual({
      label: 'Who can approve',
      value: DEFAULT_APPROVERS,
    });
    expect(msg(event('release.awaiting_approval', { data: { stage: 'wave-1', approvers: ['alice', 'sre-team'] } })).fields[0]!.value).toBe(
      'alice, sre-team',
    );
  });

  it('describes waves, queued releases, rollbacks and success', () => {
    expect(msg(event('stage.started', { data: { stage: 'wave-1' } }))).toMatchObject({
      title: 'Wave started',
      text: 'wave-1 started: eu-west, eu-central',
    });
    expect(msg(event('stage.started', { data: { stage: 'canary' } })).title).toBe('Canary started');
    expect(msg(event('release.created', { toState: 'queued' })).title).toBe('Release queued');
    expect(msg(event('release.created', { toState: 'running' })).text).toBe(
      'checkout 2.0.0 is rolling out: canary (us-west) → wave-1 (eu-west, eu-central)',
    );
    expect(msg(event('release.rolling_back', { reason: 'region eu-west failed', data: { policy: 'rollback' } }))).toMatchObject({
      title: 'Rollback started',
      text: 'rolling back (policy rollback)',
      fields: [{ label: 'Reason', value: 'region eu-west failed' }],
    });
    expect(msg(event('release.succeeded')).text).toBe('checkout 2.0.0 runs in all 3 regions');
    expect(msg(event('region.verified', { region: 'us-west' }))).toMatchObject({ text: 'us-west: verified', stage: 'canary' });
  });

  it('links to the release in the dashboard', () => {
    expect(msg(event('release.succeeded')).release.url).toBe(`https://tideline.example.com/releases/${release.id}`);
  });
});

describe('Block Kit', () => {
  it('parent: service, version, plan, state and the link; escaped', () => {
    const p = parentMessage({ ...msg(event('release.started')).release, version: '2.0.0<&>' });
    const json = JSON.stringify(p.blocks);
    expect(p.text).toBe('checkout 2.0.0<&> (release #12): running');
    expect(json).toContain('2.0.0&lt;&amp;&gt;');
    expect(json).toContain('canary (us-west) → wave-1 (eu-west, eu-central)');
    expect(json).toContain(`<https://tideline.example.com/releases/${release.id}|#12>`);
  });

  it('reply vs standalone message', () => {
    const m = msg(event('region.failed', { region: 'eu-west', reason: 'progress deadline exceeded' }));
    expect(eventMessage(m, false).text).toBe('Region failed: eu-west: failed');
    expect(eventMessage(m, true).text).toBe('checkout 2.0.0: Region failed: eu-west: failed');
    expect(JSON.stringify(eventMessage(m, false).blocks)).toContain('progress deadline exceeded');
  });
});

describe('routing and backoff', () => {
  const dest = (name: string, filter: NotificationDestination['filter'], accepts: (s: string) => boolean): NotificationDestination => ({
    name,
    filter,
    accepts,
    channel: { kind: 'sink', send: async () => undefined },
  });

  it('plans one delivery per (event, destination) that wants it; stale events are skipped', () => {
    const all = [
      dest('slack', { minSeverity: 'info' }, (s) => s === 'checkout'),
      dest('webhook:pager', { minSeverity: 'failure' }, () => true),
    ];
    const destinations: NotificationDestinations = { all: () => all, get: (n) => all.find((d) => d.name === n)! };
    const scheduler: DeliveryScheduler = { enqueueDelivery: async () => undefined };
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const dispatch = new DispatchNotifications({} as NotificationStore, destinations, scheduler, log);
    const planned = dispatch.plan([
      { id: '1', releaseId: 'r1', type: 'release.created', service: 'checkout', ageMs: 10 },
      { id: '2', releaseId: 'r1', type: 'region.patched', service: 'checkout', ageMs: 10 },
      { id: '3', releaseId: 'r1', type: 'region.failed', service: 'checkout', ageMs: 10 },
      { id: '4', releaseId: 'r2', type: 'region.failed', service: 'search', ageMs: 10 },
      { id: '5', releaseId: 'r3', type: 'region.failed', service: 'search', ageMs: 2 * 3_600_000 },
    ]);
    expect(planned.map((p) => `${p.eventId}→${p.destination}:${p.severity}`)).toEqual([
      '1→slack:info',
      '3→slack:failure',
      '3→webhook:pager:failure',
      '4→webhook:pager:failure',
    ]);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(1, 1000, 60_000, () => 0.5)).toBe(1000);
    expect(backoffDelay(2, 1000, 60_000, () => 0.5)).toBe(2000);
    expect(backoffDelay(4, 1000, 60_000, () => 0.5)).toBe(8000);
    expect(backoffDelay(20, 1000, 60_000, () => 0.5)).toBe(60_000);
    expect(backoffDelay(3, 1000, 60_000, () => 0)).toBe(3200);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(4800);
    expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
