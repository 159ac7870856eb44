/** Release and region states → colour, label and tone (pure; the dashboard's one palette). */
export type Tone = 'ok' | 'active' | 'wait' | 'bad' | 'muted' | 'rollback';

const TONE_COLOR: Record<Tone, string> = {
  ok: '#2e7d32',
  active: '#1565c0',
  wait: '#b26a00',
  bad: '#c62828',
  rollback: '#6a1b9a',
  muted: '#757575',
};

const RELEASE: Record<string, { label: string; tone: Tone }> = {
  queued: { label: 'queued', tone: 'muted' },
  running: { label: 'running', tone: 'active' },
  paused: { label: 'paused', tone: 'wait' },
  awaiting_approval: { label: 'awaiting approval', tone: 'wait' },
  rolling_back: { label: 'rolling back', tone: 'rollback' },
  succeeded: { label: 'succeeded', tone: 'ok' },
  rolled_back: { label: 'rolled back', tone: 'rollback' },
  failed: { label: 'failed', tone: 'bad' },
  cancelled: { label: 'cancelled', tone: 'muted' },
  superseded: { label: 'superseded', tone: 'muted' },
};

const TARGET: Record<string, { label: string; tone: Tone }> = {
  pending: { label: 'pending', tone: 'muted' },
  deploying: { label: 'deploying', tone: 'active' },
  baking: { label: 'baking', tone: 'active' },
  verified: { label: 'verified', tone: 'ok' },
  failed: { label: 'failed', tone: 'bad' },
  rolling_back: { label: 'rolling back', tone: 'rollback' },
  rolled_back: { label: 'rolled back', tone: 'rollback' },
  draining: { label: 'draining', tone: 'wait' },
  drained: { label: 'drained', tone: 'wait' },
  skipped: { label: 'skipped', tone: 'muted' },
};

export const toneColor = (tone: Tone): string => TONE_COLOR[tone];

export function releaseState(state: string): { label: string; tone: Tone; color: string } {
  const s = RELEASE[state] ?? { label: state.replace(/_/g, ' '), tone: 'muted' as Tone };
  return { ...s, color: TONE_COLOR[s.tone] };
}

/** A region tile: a pending region held by a blocker reads "blocked". */
export function targetState(state: string, blockedReason?: string | null): { label: string; tone: Tone; color: string } {
  if (state === 'pending' && blockedReason) return { label: 'blocked', tone: 'wait', color: TONE_COLOR.wait };
  const s = TARGET[state] ?? { label: state.replace(/_/g, ' '), tone: 'muted' as Tone };
  return { ...s, color: TONE_COLOR[s.tone] };
}

export const VERDICT_COLOR: Record<string, string> = {
  pass: TONE_COLOR.ok,
  fail: TONE_COLOR.bad,
  inconclusive: TONE_COLOR.wait,
  error: '#424242',
};

export const verdictColor = (verdict: string): string => VERDICT_COLOR[verdict] ?? TONE_COLOR.muted;

/** 0..1 how far a release has come: verified (or skipped) regions over all regions. */
export function progress(states: readonly string[]): { done: number; total: number; fraction: number } {
  const total = states.length;
  const done = states.filter((s) => s === 'verified' || s === 'skipped').length;
  return { done, total, fraction: total === 0 ? 0 : done / total };
}
