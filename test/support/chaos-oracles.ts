/** Oracles of the chaos test (issue 15): computed from what the simulator and the API recorded, not from the engine's bookkeeping. */
import type { EventView } from '#view-types';
import type { PatchLogEntry } from '../../apps/simulator/src/state.js';

export const TERMINAL_STATES = ['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded'];

/** Per region, the effects (`image|release label`) of one service's applied patches, consecutive repeats collapsed. */
export function effectsByRegion(log: readonly PatchLogEntry[], service: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of log.filter((x) => x.name === service && x.rejected === undefined && x.fault === undefined)) {
    const effect = `${p.images[service]}|${p.labels['tideline.io/release'] ?? '-'}`;
    const list = out.get(p.region) ?? [];
    if (list.at(-1) !== effect) list.push(effect);
    out.set(p.region, list);
  }
  return out;
}

/** Release-level transitions after the first one into a terminal state (must be none). */
export function transitionsAfterTerminal(events: readonly EventView[]): EventView[] {
  const ordered = [...events].sort((a, b) => Number(a.id) - Number(b.id));
  const end = ordered.findIndex((e) => e.region === null && e.toState !== null && TERMINAL_STATES.includes(e.toState));
  if (end < 0) return [];
  return ordered.slice(end + 1).filter((e) => e.region === null && (e.fromState !== null || e.toState !== null));
}

/**
 * Time of [bakeStart, ∞) covered by passing evaluations, each observing [t − reach, t]
 * (the README's rule), computed independently of the engine as the length of a union.
 */
export function coveredMs(passTimes: readonly number[], bakeStartMs: number, reachMs: number): number {
  const spans = passTimes
    .filter((t) => t > bakeStartMs)
    .map((t) => [Math.max(bakeStartMs, t - reachMs), t] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curFrom = -Infinity;
  let curTo = -Infinity;
  for (const [from, to] of spans) {
    if (from > curTo) {
      if (curTo > curFrom) total += curTo - curFrom;
      curFrom = from;
      curTo = to;
    } else {
      curTo = Math.max(curTo, to);
    }
  }
  if (curTo > curFrom) total += curTo - curFrom;
  return total;
}
