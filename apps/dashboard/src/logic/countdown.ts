/** Countdowns and durations as an operator reads them (pure). */

/** "1h 02m", "4m 05s", "12s", "0s"; negative → "0s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** Bake time left for a baking region; frozen while the release is paused. */
export function bakeLeft(bakeEndsAt: string | null, nowMs: number, pausedAt: string | null = null): { ms: number; text: string } | null {
  if (!bakeEndsAt) return null;
  const ref = pausedAt ? Date.parse(pausedAt) : nowMs;
  const ms = Math.max(0, Date.parse(bakeEndsAt) - ref);
  return { ms, text: `${formatDuration(ms)} left${pausedAt ? ' (paused)' : ''}` };
}

/** Fraction 0..1 of a bake done, given the stage's bake length. */
export function bakeFraction(bakeEndsAt: string | null, bakeMs: number, nowMs: number): number {
  if (!bakeEndsAt || bakeMs <= 0) return 0;
  const left = Date.parse(bakeEndsAt) - nowMs;
  return Math.min(1, Math.max(0, 1 - left / bakeMs));
}

/** "3m ago", "just now". */
export function ago(iso: string | null, nowMs: number): string {
  if (!iso) return '—';
  const ms = nowMs - Date.parse(iso);
  return ms < 5000 ? 'just now' : `${formatDuration(ms)} ago`;
}
