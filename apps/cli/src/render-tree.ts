/** The live progress tree shown on a terminal: stages, regions with state glyphs, bake countdowns, failing gates. Pure. */
import { humanDuration } from './duration.js';
import { troubledGates, type ReleaseView, type TargetView } from './release-view.js';

export type Tone = 'ok' | 'bad' | 'warn' | 'busy' | 'dim' | 'plain';
export type Paint = (tone: Tone, text: string) => string;
const noPaint: Paint = (_tone, text) => text;

const GLYPHS: Record<string, { glyph: string; tone: Tone }> = {
  pending: { glyph: '·', tone: 'dim' },
  deploying: { glyph: '↻', tone: 'busy' },
  baking: { glyph: '◷', tone: 'busy' },
  verified: { glyph: '✔', tone: 'ok' },
  failed: { glyph: '✘', tone: 'bad' },
  rolling_back: { glyph: '↺', tone: 'warn' },
  rolled_back: { glyph: '↩', tone: 'warn' },
  draining: { glyph: '⇣', tone: 'warn' },
  drained: { glyph: '⇣', tone: 'warn' },
  skipped: { glyph: '–', tone: 'dim' },
  blocked: { glyph: '⏸', tone: 'warn' },
};

const RELEASE_TONE: Record<string, Tone> = {
  succeeded: 'ok',
  rolled_back: 'bad',
  failed: 'bad',
  rolling_back: 'warn',
  paused: 'warn',
  awaiting_approval: 'warn',
  cancelled: 'dim',
  superseded: 'dim',
  running: 'busy',
  queued: 'dim',
};

/** One region's line after its glyph: state, countdown or blocker, failing gates. */
export function regionDetail(t: TargetView, nowMs: number): string {
  const parts: string[] = [t.state.replace('_', ' ')];
  if (t.state === 'pending' && t.blockedReason) parts[0] = `blocked: ${t.blockedReason}`;
  if (t.state === 'baking' && t.bakeEndsAt) {
    const left = Date.parse(t.bakeEndsAt) - nowMs;
    parts.push(left > 0 ? `${humanDuration(left)} left` : 'bake done, waiting for gates');
  }
  if ((t.state === 'failed' || t.state === 'rolled_back' || t.state === 'rolling_back') && t.reason) parts.push(t.reason);
  const gates = troubledGates(t);
  if (gates.length > 0) parts.push(`gates ${gates.join(', ')}`);
  return parts.join(' · ');
}

/** The tree, one string per line (no trailing newline). */
export function renderTree(r: ReleaseView, nowMs: number, paint: Paint = noPaint): string[] {
  const head = `${r.service} ${r.version} #${r.releaseNumber}  ${paint(RELEASE_TONE[r.state] ?? 'plain', r.state.replace('_', ' '))}`;
  const lines = [r.stateReason ? `${head} · ${r.stateReason}` : head];
  const stages = r.stages ?? [];
  stages.forEach((s, i) => {
    const lastStage = i === stages.length - 1;
    const facts = [
      s.regions.length > 1 ? `max ${s.maxParallel} at once` : null,
      s.bakeMs > 0 ? `bake ${humanDuration(s.bakeMs)}` : null,
      s.approval === 'required' ? 'approval required' : null,
    ].filter((x): x is string => x !== null);
    const current = r.currentStage === s.name ? paint('busy', ' ◀') : '';
    lines.push(`${lastStage ? '└─' : '├─'} ${s.name}${facts.length ? paint('dim', ` (${facts.join(', ')})`) : ''}${current}`);
    const width = Math.max(...s.regions.map((t) => t.region.length));
    s.regions.forEach((t, j) => {
      const lastRegion = j === s.regions.length - 1;
      const kind = t.state === 'pending' && t.blockedReason ? 'blocked' : t.state;
      const g = GLYPHS[kind] ?? { glyph: '?', tone: 'plain' as Tone };
      lines.push(
        `${lastStage ? '   ' : '│  '}${lastRegion ? '└─' : '├─'} ${paint(g.tone, g.glyph)} ${t.region.padEnd(width)}  ${regionDetail(t, nowMs)}`,
      );
    });
  });
  return lines;
}
