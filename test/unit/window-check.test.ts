import { describe, expect, it } from 'vitest';
import { checkWindow, describeDays, isValidTimeZone, windowProblems, type AllowRule, type DeploymentWindow, type Freeze } from '#domain';

const PARIS = 'Europe/Paris';
const at = (iso: string): number => Date.parse(iso);
const hm = (h: number, m = 0): number => h * 60 + m;
const weekdays: AllowRule = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], startMinute: hm(9), endMinute: hm(17) };
const office: DeploymentWindow = { allow: [weekdays], freezes: [] };

/** opensAtMs as an ISO string, or the open/never marker. */
function opens(w: DeploymentWindow, tz: string, iso: string): string {
  const r = checkWindow(w, tz, at(iso));
  if (r.open) return 'open';
  return r.opensAtMs === null ? 'never' : new Date(r.opensAtMs).toISOString();
}

describe('deployment window: allow rules', () => {
  // 2026-03-02 is a Monday; Paris is UTC+1 until 2026-03-29.
  it('open inside office hours, in the region time zone', () => {
    expect(checkWindow(office, PARIS, at('2026-03-02T09:00:00Z'))).toEqual({ open: true }); // 10:00 local
    expect(checkWindow(office, PARIS, at('2026-03-02T08:00:00Z'))).toEqual({ open: true }); // 09:00 local, start inclusive
    expect(opens(office, PARIS, '2026-03-02T16:00:00Z')).toBe('2026-03-03T08:00:00.000Z'); // 17:00 local, end exclusive
  });

  it('says why and when it opens: before hours, after hours, at the weekend', () => {
    const r = checkWindow(office, PARIS, at('2026-03-02T06:00:00Z'));
    expect(r).toEqual({
      open: false,
      reason: 'outside the deployment window (mon-fri 09:00-17:00 Europe/Paris)',
      opensAtMs: at('2026-03-02T08:00:00Z'),
    });
    expect(opens(office, PARIS, '2026-03-06T17:30:00Z')).toBe('2026-03-09T08:00:00.000Z'); // friday evening → monday
    expect(opens(office, PARIS, '2026-03-07T12:00:00Z')).toBe('2026-03-09T08:00:00.000Z'); // saturday
  });

  it('minute precision: 30 seconds before the start opens at the start', () => {
    expect(opens(office, PARIS, '2026-03-02T07:59:30Z')).toBe('2026-03-02T08:00:00.000Z');
  });

  it('empty allow list = always open', () => {
    expect(checkWindow({ allow: [], freezes: [] }, PARIS, at('2026-03-07T03:00:00Z'))).toEqual({ open: true });
  });

  it('half-hour offsets (Asia/Kolkata, UTC+5:30)', () => {
    expect(opens(office, 'Asia/Kolkata', '2026-03-01T12:00:00Z')).toBe('2026-03-02T03:30:00.000Z');
  });

  it('several rules: the earliest opening wins', () => {
    const w: DeploymentWindow = { allow: [weekdays, { days: ['sat'], startMinute: hm(10), endMinute: hm(12) }], freezes: [] };
    const r = checkWindow(w, PARIS, at('2026-03-06T20:00:00Z'));
    expect(r).toMatchObject({ open: false, reason: 'outside the deployment window (mon-fri 09:00-17:00, sat 10:00-12:00 Europe/Paris)' });
    expect(!r.open && r.opensAtMs).toBe(at('2026-03-07T09:00:00Z'));
  });

  it('never opens within 14 days → null', () => {
    expect(opens({ allow: [{ days: [], startMinute: 0, endMinute: 60 }], freezes: [] }, PARIS, '2026-03-02T12:00:00Z')).toBe('never');
  });

  it('an unknown time zone throws', () => {
    expect(() => checkWindow(office, 'Mars/Olympus', 0)).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('America/New_York')).toBe(true);
  });
});

describe('deployment window: wrap past midnight', () => {
  const night: DeploymentWindow = { allow: [{ days: ['fri'], startMinute: hm(22), endMinute: hm(2) }], freezes: [] };
  const utc = 'UTC';

  it('the part after midnight belongs to the rule day before', () => {
    expect(checkWindow(night, utc, at('2026-03-06T23:00:00Z')).open).toBe(true); // fri 23:00
    expect(checkWindow(night, utc, at('2026-03-07T01:59:00Z')).open).toBe(true); // sat 01:59
    expect(opens(night, utc, '2026-03-07T02:00:00Z')).toBe('2026-03-13T22:00:00.000Z'); // sat 02:00 → next friday
    expect(opens(night, utc, '2026-03-06T01:00:00Z')).toBe('2026-03-06T22:00:00.000Z'); // fri 01:00 (thursday not allowed)
  });

  it('start = end is a full 24 hours from the start', () => {
    const w: DeploymentWindow = { allow: [{ days: ['sat'], startMinute: hm(6), endMinute: hm(6) }], freezes: [] };
    expect(checkWindow(w, utc, at('2026-03-08T05:59:00Z')).open).toBe(true); // sunday 05:59
    expect(opens(w, utc, '2026-03-08T06:00:00Z')).toBe('2026-03-14T06:00:00.000Z');
  });

  it('until midnight (endMinute 1440)', () => {
    const w: DeploymentWindow = { allow: [{ days: ['mon'], startMinute: hm(20), endMinute: 1440 }], freezes: [] };
    expect(checkWindow(w, utc, at('2026-03-02T23:59:00Z')).open).toBe(true);
    expect(checkWindow(w, utc, at('2026-03-03T00:00:00Z')).open).toBe(false);
    expect(checkWindow(w, utc, at('2026-03-02T12:00:00Z'))).toMatchObject({
      reason: 'outside the deployment window (mon 20:00-24:00 UTC)',
    });
  });
});

describe('deployment window: daylight saving time', () => {
  it('spring forward: the office opens at 09:00 local on both sides of the change', () => {
    // Paris: 2026-03-29 01:00Z, 02:00 CET → 03:00 CEST. Friday 18:00 CET → Monday 09:00 CEST = 07:00Z.
    expect(opens(office, PARIS, '2026-03-27T17:00:00Z')).toBe('2026-03-30T07:00:00.000Z');
  });

  it('fall back: Monday 09:00 CET = 08:00Z', () => {
    // Paris: 2026-10-25 01:00Z, 03:00 CEST → 02:00 CET.
    expect(opens(office, PARIS, '2026-10-23T16:00:00Z')).toBe('2026-10-26T08:00:00.000Z');
  });

  it('a rule starting inside the skipped hour opens when the clocks jump', () => {
    const w: DeploymentWindow = { allow: [{ days: ['sun'], startMinute: hm(2, 30), endMinute: hm(4) }], freezes: [] };
    expect(opens(w, PARIS, '2026-03-29T00:45:00Z')).toBe('2026-03-29T01:00:00.000Z'); // 01:45 CET → 03:00 CEST
    expect(checkWindow(w, PARIS, at('2026-03-29T01:30:00Z')).open).toBe(true); // 03:30 CEST
  });

  it('the repeated hour on fall-back night is inside a 02:00-03:00 rule twice', () => {
    const w: DeploymentWindow = { allow: [{ days: ['sun'], startMinute: hm(2), endMinute: hm(3) }], freezes: [] };
    expect(checkWindow(w, PARIS, at('2026-10-25T00:30:00Z')).open).toBe(true); // 02:30 CEST
    expect(checkWindow(w, PARIS, at('2026-10-25T01:30:00Z')).open).toBe(true); // 02:30 CET
    expect(checkWindow(w, PARIS, at('2026-10-25T02:00:00Z')).open).toBe(false); // 03:00 CET
  });

  it('New York nights: not between 22:00 and 06:00, across the March change', () => {
    const w: DeploymentWindow = {
      allow: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], startMinute: hm(6), endMinute: hm(22) }],
      freezes: [],
    };
    // 2026-03-08 02:00 EST → 03:00 EDT; 06:00 EDT = 10:00Z
    expect(opens(w, 'America/New_York', '2026-03-08T04:00:00Z')).toBe('2026-03-08T10:00:00.000Z');
    expect(checkWindow(w, 'America/New_York', at('2026-03-08T04:00:00Z'))).toMatchObject({
      reason: 'outside the deployment window (daily 06:00-22:00 America/New_York)',
    });
  });
});

describe('deployment window: freezes', () => {
  const holiday: Freeze = { fromMs: at('2026-03-02T09:00:00Z'), toMs: at('2026-03-04T11:00:00Z'), reason: 'holiday freeze' };

  it('a freeze inside allowed hours closes the window until it ends', () => {
    const r = checkWindow({ ...office, freezes: [holiday] }, PARIS, at('2026-03-02T10:00:00Z'));
    expect(r).toEqual({ open: false, reason: 'frozen until 2026-03-04T11:00:00Z: holiday freeze', opensAtMs: holiday.toMs });
    expect(checkWindow({ ...office, freezes: [holiday] }, PARIS, at('2026-03-02T08:30:00Z')).open).toBe(true); // before it starts
  });

  it('a freeze ending outside allowed hours opens at the next allowed minute', () => {
    const late: Freeze = { ...holiday, toMs: at('2026-03-04T18:00:00Z') };
    expect(opens({ ...office, freezes: [late] }, PARIS, '2026-03-03T10:00:00Z')).toBe('2026-03-05T08:00:00.000Z');
  });

  it('overlapping freezes chain; the reason names the one ending last', () => {
    const second: Freeze = { fromMs: at('2026-03-04T10:00:00Z'), toMs: at('2026-03-05T12:00:00Z'), reason: 'quarter close' };
    const w: DeploymentWindow = { allow: [], freezes: [holiday, second] };
    expect(opens(w, PARIS, '2026-03-03T00:00:00Z')).toBe('2026-03-05T12:00:00.000Z');
    expect(checkWindow(w, PARIS, at('2026-03-04T10:30:00Z'))).toMatchObject({ reason: 'frozen until 2026-03-05T12:00:00Z: quarter close' });
  });

  it('an open-ended freeze never opens; a freeze longer than the search never opens', () => {
    expect(
      checkWindow({ allow: [], freezes: [{ fromMs: 0, toMs: Infinity, reason: 'incident' }] }, PARIS, at('2026-03-02T10:00:00Z')),
    ).toEqual({
      open: false,
      reason: 'frozen until further notice: incident',
      opensAtMs: null,
    });
    expect(
      opens({ allow: [], freezes: [{ fromMs: 0, toMs: at('2026-04-30T00:00:00Z'), reason: 'x' }] }, PARIS, '2026-03-02T10:00:00Z'),
    ).toBe('never');
  });

  it('freezes end exactly (end exclusive)', () => {
    expect(checkWindow({ allow: [], freezes: [holiday] }, PARIS, holiday.toMs)).toEqual({ open: true });
  });
});

describe('deployment window: helpers and cost', () => {
  it('describes days compactly', () => {
    expect(describeDays(['fri', 'mon', 'tue', 'wed', 'thu'])).toBe('mon-fri');
    expect(describeDays(['mon', 'wed', 'fri'])).toBe('mon,wed,fri');
    expect(describeDays(['sat', 'sun'])).toBe('sat-sun');
  });

  it('reports bad definitions', () => {
    expect(windowProblems(office)).toEqual([]);
    expect(
      windowProblems({ allow: [{ days: [], startMinute: 1440, endMinute: -1 }], freezes: [{ fromMs: 2, toMs: 1, reason: '' }] }),
    ).toHaveLength(4);
  });

  it('a search over 14 closed days stays cheap', () => {
    const w: DeploymentWindow = {
      allow: [{ days: ['mon'], startMinute: hm(9), endMinute: hm(9, 1) }],
      freezes: [{ fromMs: 0, toMs: at('2026-03-09T08:30:00Z'), reason: 'x' }],
    };
    const t = performance.now();
    for (let i = 0; i < 20; i++) expect(opens(w, PARIS, '2026-03-02T10:00:00Z')).toBe('2026-03-16T08:00:00.000Z');
    expect((performance.now() - t) / 20).toBeLessThan(25);
  });
});
