/** Durations on the command line (`90s`, `10m`, `2h`, `1h30m`), the same syntax as the config files. */
import { formatDuration, parseDuration } from '#config/duration';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Milliseconds, or a UsageError naming the flag. A bare number means seconds. */
export function parseFlagDuration(flag: string, text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  try {
    const ms = parseDuration(trimmed);
    if (ms <= 0) throw new RangeError('must be greater than zero');
    return ms;
  } catch (err) {
    throw new UsageError(
      `${flag}: ${(err as Error).message.replace(/^must be a duration like 30s/, 'must be a duration like 30s, 10m or 2h')}`,
    );
  }
}

/** `1h02m05s`-style countdowns for people: whole seconds, at most two units. */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  const full = formatDuration(s * 1000);
  const parts = full.match(/\d+[a-z]+/g) ?? [full];
  return parts.slice(0, 2).join('');
}
