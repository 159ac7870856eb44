/** Applying a stream delta (event + release row + changed target) to what the page shows (pure). */
import type { EventView, ReleaseDetailView, ReleaseView, StreamChangeView } from '#view-types';

export function applyChange(detail: ReleaseDetailView, change: StreamChangeView): ReleaseDetailView {
  if (change.release.id !== detail.id) return detail;
  const target = change.target;
  return {
    ...detail,
    ...change.release,
    stages: target
      ? detail.stages.map((s) =>
          s.index !== target.stageIndex ? s : { ...s, regions: s.regions.map((t) => (t.region === target.region ? target : t)) },
        )
      : detail.stages,
  };
}

/** Events oldest first, each once. */
export function mergeEvents(events: readonly EventView[], more: readonly EventView[]): EventView[] {
  const seen = new Set(events.map((e) => e.id));
  const added = more.filter((e) => !seen.has(e.id));
  if (added.length === 0) return events as EventView[];
  return [...events, ...added].sort((a, b) => Number(a.id) - Number(b.id));
}

/** The home list after a change: the release row replaced (or added at the top). */
export function upsertRelease(list: readonly ReleaseView[], r: ReleaseView): ReleaseView[] {
  const i = list.findIndex((x) => x.id === r.id);
  if (i < 0) return [r, ...list];
  const out = list.slice();
  out[i] = r;
  return out;
}

/** An operator's action (a person or CI, not the engine) — the timeline makes these stand out. */
export const isOperatorAction = (e: Pick<EventView, 'actor' | 'type'>, engineActor = 'tideline'): boolean => e.actor !== engineActor;

/** Gate verdict changes and failures. */
export const isGateEvent = (e: Pick<EventView, 'type'>): boolean => e.type.startsWith('gate.');
