/** The fast opensAtMs search against a minute-by-minute scan, around DST changes. */
import { describe, expect, it } from 'vitest';
import { checkWindow, isWindowOpenAt, WEEKDAYS, type AllowRule, type DeploymentWindow, type Weekday } from '#domain';

const MINUTE = 60_000;
const HORIZON = 14 * 24 * 60;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function scan(w: DeploymentWindow, tz: string, nowMs: number): number | null {
  const first = Math.floor(nowMs / MINUTE) * MINUTE + MINUTE;
  for (let i = 0; i < HORIZON; i++) {
    const t = first + i * MINUTE;
    if (isWindowOpenAt(w, tz, t)) return t;
  }
  return null;
}

const ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago'];
const AROUND = ['2026-03-08T06:00:00Z', '2026-03-28T22:00:00Z', '2026-04-04T14:00:00Z', '2026-10-24T20:00:00Z', '2026-11-01T03:00:00Z'];

describe('opensAtMs search agrees with a minute-by-minute scan', () => {
  const random = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const cases = Array.from({ length: 40 }, (_, i) => {
    const rules: AllowRule[] = Array.from({ length: 1 + Math.floor(random() * 2) }, () => ({
      days: WEEKDAYS.filter(() => random() < 0.3) as Weekday[],
      startMinute: Math.floor(random() * 96) * 15,
      endMinute: Math.floor(random() * 97) * 15,
    }));
    const now = Date.parse(pick(AROUND)) + Math.floor(random() * 48) * 30 * MINUTE;
    const freezes = random() < 0.5 ? [{ fromMs: now - 3_600_000, toMs: now + Math.floor(random() * 3000) * MINUTE, reason: 'f' }] : [];
    return { i, tz: pick(ZONES), now, w: { allow: rules, freezes } satisfies DeploymentWindow };
  });

  it.each(cases)('case $i ($tz)', ({ tz, now, w }) => {
    const r = checkWindow(w, tz, now);
    if (r.open) return void expect(isWindowOpenAt(w, tz, now)).toBe(true);
    expect(r.opensAtMs === null ? null : new Date(r.opensAtMs).toISOString()).toBe(
      ((t) => (t === null ? null : new Date(t).toISOString()))(scan(w, tz, now)),
    );
  });
});
