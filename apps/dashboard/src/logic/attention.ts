/** The home page's order: what needs an operator first, then what runs, then what ended (pure). */
import type { ReleaseView } from '#view-types';

export type AttentionGroup = 'needs-attention' | 'running' | 'ended' | 'queued';

/** What a release waits on beyond its state (from its targets): a blocker or a drain. */
export interface ReleaseHints {
  blockedReason?: string | null;
  draining?: boolean;
}

const URGENCY: Record<string, number> = { failed: 0, rolling_back: 1, paused: 2, awaiting_approval: 3 };
const ENDED = new Set(['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded']);
/** A failed release stays on top for a day; after that it is history. */
export const RECENT_FAILURE_MS = 24 * 3600_000;

export interface AttentionItem {
  release: ReleaseView;
  group: AttentionGroup;
  /** why it is in its group, in words */
  why: string;
  rank: number;
}

export function classify(r: ReleaseView, hints: ReleaseHints = {}, nowMs = Date.now()): AttentionItem {
  const recentFailure = r.state === 'failed' && nowMs - Date.parse(r.endedAt ?? r.updatedAt ?? r.createdAt ?? '0') < RECENT_FAILURE_MS;
  if (r.state in URGENCY && (r.state !== 'failed' || recentFailure)) {
    const why =
      r.state === 'awaiting_approval'
        ? `awaiting approval of ${r.currentStage ?? 'the next stage'} (any token with releases:operate may approve)`
        : r.state === 'paused'
          ? `paused${r.stateReason ? `: ${r.stateReason}` : ''}`
          : r.state === 'rolling_back'
            ? `rolling back${r.stateReason ? `: ${r.stateReason}` : ''}`
            : `failed${r.stateReason ? `: ${r.stateReason}` : ''}`;
    return { release: r, group: 'needs-attention', why, rank: URGENCY[r.state]! };
  }
  if (r.state === 'running' && hints.draining) return { release: r, group: 'needs-attention', why: 'draining a region', rank: 4 };
  if (r.state === 'running' && hints.blockedReason)
    return { release: r, group: 'needs-attention', why: `waiting: ${hints.blockedReason}`, rank: 5 };
  if (r.state === 'running') return { release: r, group: 'running', why: `running ${r.currentStage ?? ''}`.trim(), rank: 10 };
  if (r.state === 'queued') return { release: r, group: 'queued', why: "queued behind the service's active release", rank: 20 };
  return { release: r, group: ENDED.has(r.state) ? 'ended' : 'running', why: r.stateReason ?? r.state.replace(/_/g, ' '), rank: 30 };
}

const time = (r: ReleaseView) => Date.parse(r.updatedAt ?? r.createdAt ?? '0') || 0;

/** Needs attention (most urgent, then oldest first: it has waited longest), running, queued, then ended (newest first). */
export function orderForAttention(
  releases: readonly ReleaseView[],
  hints: ReadonlyMap<string, ReleaseHints> = new Map(),
  nowMs = Date.now(),
): AttentionItem[] {
  const items = releases.map((r) => classify(r, hints.get(r.id), nowMs));
  return items.sort((a, b) => a.rank - b.rank || (a.rank < 30 ? time(a.release) - time(b.release) : time(b.release) - time(a.release)));
}

/** Filters from the URL (?service=&state=). */
export function readFilters(search: string): { service?: string; state?: string } {
  const q = new URLSearchParams(search);
  return { ...(q.get('service') ? { service: q.get('service')! } : {}), ...(q.get('state') ? { state: q.get('state')! } : {}) };
}

export function writeFilters(f: { service?: string; state?: string }): string {
  const q = new URLSearchParams();
  if (f.service) q.set('service', f.service);
  if (f.state) q.set('state', f.state);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const matches = (r: ReleaseView, f: { service?: string; state?: string }) =>
  (!f.service || r.service === f.service) && (!f.state || r.state === f.state);
