const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

// Units must appear largest first, each at most once: `1h30m`, `2d`, `1s500ms`.
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

export const DURATION_HINT = 'must be a duration like 30s';

/**
 * Parses `0s`, `500ms`, `30s`, `10m`, `1h`, `1h30m`, `2d` into milliseconds.
 * Throws a `RangeError` (message: "must be a duration like 30s") for anything else.
 */
export function parseDuration(text: string): number {
  const match = typeof text === 'string' ? DURATION.exec(text) : null;
  if (match === null || text === '') throw new RangeError(`${DURATION_HINT} (got ${JSON.stringify(text)})`);
  let ms = 0;
  UNITS.forEach(([, factor], i) => {
    const amount = match[i + 1];
    if (amount !== undefined) ms += Number(amount) * factor;
  });
  if (!Number.isSafeInteger(ms)) throw new RangeError(`duration ${JSON.stringify(text)} is too large`);
  return ms;
}

/** Inverse of `parseDuration`: 5_400_000 → `1h30m`, 500 → `500ms`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot format duration ${ms}`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, factor] of UNITS) {
    const amount = Math.floor(rest / factor);
    if (amount > 0) {
      out += `${amount}${unit}`;
      rest -= amount * factor;
    }
  }
  return out;
}
