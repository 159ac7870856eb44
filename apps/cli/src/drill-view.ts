/** Drills as the API answers them: their times against the goal, the trend per region and kind, and the exit code of an ended drill. Pure. */
import { formatDuration } from '#config/duration';
import { humanDuration } from './duration.js';
import { EXIT, type Outcome } from './exit-codes.js';
import { table } from './output.js';

export interface DrillView {
  id: string;
  kind: 'drain' | 'rollback';
  region: string;
  service: string | null;
  state: string;
  phase: string;
  actor: string;
  reason: string;
  goalMs: number;
  maxDurationMs: number;
  requestedAt: string;
  completedAt: string | null;
  deadlineAt: string | null;
  firstMs: number | null;
  secondMs: number | null;
  metGoal: boolean | null;
  undone: boolean;
  targetVersion: string | null;
  note: string | null;
  events?: Array<{ type: string; actor: string; reason: string | null; at: string }>;
}

export interface DrillTrendView {
  region: string;
  kind: string;
  runs: number;
  metGoal: number;
  goalMs: number;
  latestMs: number | null;
  bestMs: number | null;
  direction: 'faster' | 'slower' | 'same' | null;
  series: Array<{ id: string; at: string; firstMs: number | null; secondMs: number | null; metGoal: boolean | null; state: string }>;
}

/** What the two measured times are called: drain → drain99 / restore; rollback → rollback / forward. */
export function measureNames(kind: string): [string, string] {
  return kind === 'rollback' ? ['rollback', 'forward'] : ['drain99', 'restore'];
}

/** Drill times need more than whole seconds: `3.5s`, then `1m05s`-style. */
export function drillDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toFixed(1)}s`;
  return humanDuration(ms);
}

/** A goal exactly as given (`10m`, `90s`, `500ms`). */
const goalText = (ms: number) => formatDuration(ms);

const ENDED = new Set(['succeeded', 'failed', 'aborted']);

/** Whether waiting ends, and how: 0 only for a drill that succeeded and met its goal; 1 (saying which) otherwise. */
export function drillOutcome(d: DrillView): Outcome {
  if (!ENDED.has(d.state)) return { done: false };
  const [first] = measureNames(d.kind);
  const time = `${first} ${drillDuration(d.firstMs)}`;
  const goal = `goal ${goalText(d.goalMs)}`;
  const note = d.note ? `: ${d.note}` : '';
  if (d.state === 'succeeded') {
    return d.metGoal === true
      ? { done: true, code: EXIT.ok, summary: `succeeded and met its goal (${time} ≤ ${goal})` }
      : { done: true, code: EXIT.failed, summary: `succeeded but missed its goal (${time} > ${goal})` };
  }
  if (d.state === 'aborted')
    return { done: true, code: EXIT.failed, summary: `aborted${d.undone ? ' and undone' : ''} (${time}, ${goal})${note}` };
  return { done: true, code: EXIT.failed, summary: `failed (${time}, ${goal})${note}` };
}

/** `✔ within goal` / `✘ over goal` / `-` for a drill's first time. */
function verdict(metGoal: boolean | null): string {
  return metGoal === true ? 'met goal' : metGoal === false ? 'MISSED goal' : '-';
}

/** One drill: what it practised, both times against the goal, and its events. */
export function renderDrill(d: DrillView): string[] {
  const [first, second] = measureNames(d.kind);
  const lines = [
    `drill ${d.id}: ${d.kind} of ${d.region}${d.service ? ` (${d.service})` : ''} · ${d.state}${d.state === 'running' || d.state === 'undoing' ? ` (${d.phase})` : ''}`,
    `  ${first.padEnd(8)} ${drillDuration(d.firstMs).padStart(7)}   goal ${goalText(d.goalMs)}: ${verdict(d.metGoal)}`,
    `  ${second.padEnd(8)} ${drillDuration(d.secondMs).padStart(7)}`,
    `  requested ${d.requestedAt} by ${d.actor}: ${d.reason}`,
  ];
  if (d.completedAt) lines.push(`  ended ${d.completedAt}${d.undone ? ' (undone after its maximum duration or a failure)' : ''}`);
  if (d.targetVersion) lines.push(`  rolled back to ${d.targetVersion}`);
  if (d.note) lines.push(`  note: ${d.note}`);
  if (d.events && d.events.length > 0) {
    lines.push(
      '',
      ...table(
        ['at', 'event', 'actor', 'reason'],
        d.events.map((e) => [e.at, e.type, e.actor, e.reason]),
      ),
    );
  }
  return lines;
}

const ARROWS = { faster: '↓ faster', slower: '↑ slower', same: '= same' } as const;

/** Drills newest first, then the trend per region and kind (oldest → newest times). */
export function renderDrills(res: { items: DrillView[]; trend: DrillTrendView[] }): string[] {
  const lines = table(
    ['id', 'kind', 'region', 'service', 'state', 'first', 'second', 'goal', 'met', 'requested'],
    res.items.map((d) => {
      const [first, second] = measureNames(d.kind);
      return [
        d.id,
        d.kind,
        d.region,
        d.service,
        d.state,
        `${first} ${drillDuration(d.firstMs)}`,
        `${second} ${drillDuration(d.secondMs)}`,
        goalText(d.goalMs),
        d.metGoal === null ? '-' : d.metGoal ? 'yes' : 'NO',
        d.requestedAt,
      ];
    }),
  );
  lines.push('', 'trend (per region and kind, oldest → newest):');
  if (res.trend.length === 0) lines.push('  no drills yet');
  lines.push(
    ...table(
      ['region', 'kind', 'runs', 'met goal', 'goal', 'best', 'latest', 'direction', 'times'],
      res.trend.map((t) => [
        t.region,
        t.kind,
        t.runs,
        `${t.metGoal}/${t.runs}`,
        goalText(t.goalMs),
        drillDuration(t.bestMs),
        drillDuration(t.latestMs),
        t.direction ? ARROWS[t.direction] : '-',
        t.series.map((s) => drillDuration(s.firstMs)).join(' → '),
      ]),
    ).map((l) => `  ${l}`),
  );
  return lines;
}

/** A plain progress line when a drill's state or phase changed since the last poll (none when nothing changed). */
export function drillProgress(prev: DrillView | null, d: DrillView): string | null {
  if (prev && prev.state === d.state && prev.phase === d.phase && prev.firstMs === d.firstMs) return null;
  const [first] = measureNames(d.kind);
  const parts = [`drill ${d.kind} ${d.region}: ${d.state}`];
  if (d.state === 'running' || d.state === 'undoing') parts.push(`phase ${d.phase}`);
  if (d.firstMs !== null && (prev === null || prev.firstMs === null))
    parts.push(`${first} ${drillDuration(d.firstMs)} (goal ${goalText(d.goalMs)})`);
  return parts.join(' · ');
}
