/**
 * Deployment windows: when a region may be touched, in the region's own time zone, and
 * freezes (PRODUCT.md "Release lifecycle", pre-flight blockers). Pure: Intl only.
 *
 * - `allow` empty → always allowed (except during freezes). Otherwise the local time must
 *   fall in at least one rule: on one of its days, from startMinute (inclusive) to endMinute
 *   (exclusive), minutes since local midnight. endMinute ≤ startMinute wraps past midnight:
 *   the part after midnight belongs to the rule's day before (fri 22:00-02:00 includes
 *   saturday 01:00). endMinute 1440 means "until midnight".
 * - A freeze [fromMs, toMs) closes the window whatever the rules say; toMs may be Infinity.
 * - Local time follows the zone's DST: a rule starting at 02:30 on a spring-forward night
 *   (02:00 → 03:00) opens at 03:00.
 * - opensAtMs: the first instant within 14 days at which the window is open, or null.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** minutes since local midnight, end exclusive; end ≤ start means it wraps past midnight */
export interface AllowRule {
  days: Weekday[];
  startMinute: number;
  endMinute: number;
}

export interface Freeze {
  fromMs: number;
  toMs: number;
  reason: string;
}

export interface DeploymentWindow {
  /** empty = always allowed */
  allow: AllowRule[];
  freezes: Freeze[];
}

export type WindowCheck = { open: true } | { open: false; reason: string; opensAtMs: number | null };

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTE = 60_000;
const DAY = 86_400_000;
const SEARCH_MS = 14 * DAY;
const OFFSET_SAMPLE_MS = 6 * 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone "${timeZone}"`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  /** 0 = monday … 6 = sunday */
  weekday: number;
  minute: number;
  /** local wall-clock time as if it were UTC, in ms */
  wallMs: number;
  /** wallMs − instant */
  offsetMs: number;
}

function localTime(timeZone: string, ms: number): LocalTime {
  const second = Math.floor(ms / 1000) * 1000;
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(second)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const wallMs = Date.UTC(
    p['year'] ?? 1970,
    (p['month'] ?? 1) - 1,
    p['day'] ?? 1,
    (p['hour'] ?? 0) % 24,
    p['minute'] ?? 0,
    p['second'] ?? 0,
  );
  const weekday = (new Date(wallMs).getUTCDay() + 6) % 7;
  return { weekday, minute: Math.floor((wallMs % DAY) / MINUTE), wallMs, offsetMs: wallMs - second };
}

function ruleMatches(rule: AllowRule, weekday: number, minute: number): boolean {
  const today = rule.days.includes(WEEKDAYS[weekday]!);
  if (rule.endMinute > rule.startMinute) return today && minute >= rule.startMinute && minute < rule.endMinute;
  const yesterday = rule.days.includes(WEEKDAYS[(weekday + 6) % 7]!);
  return (today && minute >= rule.startMinute) || (yesterday && minute < rule.endMinute);
}

function allowedAt(w: DeploymentWindow, timeZone: string, ms: number): boolean {
  if (w.allow.length === 0) return true;
  const t = localTime(timeZone, ms);
  return w.allow.some((r) => ruleMatches(r, t.weekday, t.minute));
}

function activeFreezes(w: DeploymentWindow, ms: number): Freeze[] {
  return w.freezes.filter((f) => f.fromMs <= ms && ms < f.toMs);
}

export function isWindowOpenAt(w: DeploymentWindow, timeZone: string, ms: number): boolean {
  return activeFreezes(w, ms).length === 0 && allowedAt(w, timeZone, ms);
}

export function checkWindow(w: DeploymentWindow, timeZone: string, nowMs: number): WindowCheck {
  const frozen = activeFreezes(w, nowMs);
  let reason: string;
  if (frozen.length > 0) {
    const last = frozen.reduce((a, b) => (b.toMs > a.toMs ? b : a));
    reason = `frozen until ${formatInstant(last.toMs)}: ${last.reason}`;
  } else if (!allowedAt(w, timeZone, nowMs)) {
    reason = `outside the deployment window (${describeRules(w.allow)} ${timeZone})`;
  } else {
    return { open: true };
  }
  return { open: false, reason, opensAtMs: nextOpening(w, timeZone, nowMs) };
}

/**
 * The open/closed state only changes at a freeze end, at a rule boundary in local time, at
 * local midnight or at a UTC-offset change. Every such instant within the horizon is a
 * candidate (each local boundary under every offset seen); the earliest open one wins.
 */
function nextOpening(w: DeploymentWindow, timeZone: string, nowMs: number): number | null {
  const horizon = nowMs + SEARCH_MS;
  const candidates = new Set<number>();
  for (const f of w.freezes) if (f.toMs > nowMs && f.toMs <= horizon) candidates.add(f.toMs);

  const offsets = new Set<number>();
  let prev = localTime(timeZone, nowMs);
  offsets.add(prev.offsetMs);
  for (let t = nowMs + OFFSET_SAMPLE_MS; t <= horizon + OFFSET_SAMPLE_MS; t += OFFSET_SAMPLE_MS) {
    const cur = localTime(timeZone, t);
    if (cur.offsetMs !== prev.offsetMs) {
      offsets.add(cur.offsetMs);
      candidates.add(findTransition(timeZone, t - OFFSET_SAMPLE_MS, t, prev.offsetMs));
    }
    prev = cur;
  }

  const boundaries = new Set<number>([0]);
  for (const r of w.allow) {
    boundaries.add(r.startMinute % 1440);
    boundaries.add(r.endMinute % 1440);
  }
  const startWall = localTime(timeZone, nowMs).wallMs;
  const firstMidnight = startWall - (startWall % DAY);
  for (let day = -1; day <= 15; day++) {
    for (const minute of boundaries) {
      const wall = firstMidnight + day * DAY + minute * MINUTE;
      for (const offset of offsets) candidates.add(wall - offset);
    }
  }

  const sorted = [...candidates].filter((c) => c > nowMs && c <= horizon).sort((a, b) => a - b);
  for (const c of sorted) if (isWindowOpenAt(w, timeZone, c)) return c;
  return null;
}

/** First second in (lo, hi] whose offset is not `before`. */
function findTransition(timeZone: string, lo: number, hi: number, before: number): number {
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2 / 1000) * 1000;
    if (mid <= lo) break;
    if (localTime(timeZone, mid).offsetMs === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** "2026-12-02T00:00:00Z" (milliseconds only when not zero); Infinity → "further notice". */
export function formatInstant(ms: number): string {
  if (!Number.isFinite(ms)) return 'further notice';
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** "mon-fri", "sat-sun", "mon,wed,fri", "daily". */
export function describeDays(days: readonly Weekday[]): string {
  const idx = [...new Set(days.map((d) => WEEKDAYS.indexOf(d)))].filter((i) => i >= 0).sort((a, b) => a - b);
  if (idx.length === 7) return 'daily';
  const runs: string[] = [];
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j]! + 1) j++;
    runs.push(j === i ? WEEKDAYS[idx[i]!]! : `${WEEKDAYS[idx[i]!]}-${WEEKDAYS[idx[j]!]}`);
    i = j + 1;
  }
  return runs.join(',');
}

/** "mon-fri 09:00-17:00, sat 10:00-12:00". */
export function describeRules(rules: readonly AllowRule[]): string {
  if (rules.length === 0) return 'always';
  return rules.map((r) => `${describeDays(r.days)} ${hhmm(r.startMinute)}-${hhmm(r.endMinute)}`).join(', ');
}

/** Problems with a window definition (for config validation); empty when valid. */
export function windowProblems(w: DeploymentWindow): string[] {
  const problems: string[] = [];
  w.allow.forEach((r, i) => {
    if (r.days.length === 0) problems.push(`allow[${i}]: no days`);
    for (const d of r.days) if (!WEEKDAYS.includes(d)) problems.push(`allow[${i}]: unknown day "${d}"`);
    if (!Number.isInteger(r.startMinute) || r.startMinute < 0 || r.startMinute >= 1440)
      problems.push(`allow[${i}]: startMinute must be 0..1439`);
    if (!Number.isInteger(r.endMinute) || r.endMinute < 0 || r.endMinute > 1440) problems.push(`allow[${i}]: endMinute must be 0..1440`);
  });
  w.freezes.forEach((f, i) => {
    if (!(f.toMs > f.fromMs)) problems.push(`freezes[${i}]: ends before it starts`);
  });
  return problems;
}
