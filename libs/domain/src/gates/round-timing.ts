/**
 * When a release's gates are evaluated together. Never later than due, sometimes earlier:
 * - a round also takes every watched gate due within `coalesceMs` (a quarter of its interval,
 *   at most 5 s), so one round — one tick, one query per gate for all regions — serves the
 *   regions of a wave even though their bakes started a few hundred ms apart; from then on they
 *   stay in phase (each keeps its due times: nextDueAfter);
 * - a gate's first evaluation comes up to half of min(interval, bake) before one interval into
 *   the bake, by a fraction fixed by the release id: releases created together do not all
 *   query, write and reschedule in the same instant every interval.
 * Evaluating earlier only shortens the time between two evaluations: the bake coverage, the
 * worst case breach → action and every verdict rule are unchanged.
 */
import type { GateSpec } from './types.js';

/** How much earlier than due a gate may be evaluated to join a round. */
export function coalesceMs(gate: GateSpec): number {
  return Math.min(Math.floor(gate.intervalMs / 4), 5_000);
}

/**
 * When the gate is due after an evaluation at `nowMs`: due times are kept — the next one on the
 * gate's grid (its previous due time plus whole intervals), so a late round does not push every
 * later evaluation back and the time between evaluations stays one interval on average. The
 * next due time is always more than `coalesceMs` and at most one interval + `coalesceMs` after
 * `nowMs`: an evaluation that came early (a round, or a bake's end) keeps the due time still
 * ahead, and one that came more than an interval − `coalesceMs` late skips the due times it
 * missed rather than running back to back.
 */
export function nextDueAfter(gate: GateSpec, prevDueAtMs: number, nowMs: number): number {
  const after = nowMs + coalesceMs(gate);
  if (prevDueAtMs > after) return prevDueAtMs;
  return prevDueAtMs + (Math.floor((after - prevDueAtMs) / gate.intervalMs) + 1) * gate.intervalMs;
}

/** Is the gate to be evaluated in a round at `nowMs`? */
export function dueInRound(gate: GateSpec, nextDueAtMs: number, nowMs: number): boolean {
  return nextDueAtMs <= nowMs + coalesceMs(gate);
}

/** FNV-1a of a string, as a fraction in [0, 1). */
function fraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

/** How much earlier than one interval into the bake this release's gates are first evaluated. */
export function firstDueLeadMs(releaseId: string, gate: GateSpec, bakeMs: number): number {
  const span = Math.max(0, Math.min(gate.intervalMs, bakeMs));
  return Math.floor((fraction(releaseId) * span) / 2);
}

/**
 * A region's first due time, moved onto a grid the release's gate already keeps elsewhere (an
 * earlier stage's regions): the latest grid point no later than one interval into the bake, and
 * after the bake's start. So a new wave joins the release's rounds instead of adding its own,
 * and is never evaluated later than without it. Bakes shorter than an interval keep `firstDueMs`.
 */
export function firstDueOnGrid(gate: GateSpec, firstDueMs: number, bakeStartMs: number, bakeMs: number, gridDueMs: number): number {
  if (bakeMs < gate.intervalMs) return firstDueMs;
  const latest = bakeStartMs + gate.intervalMs;
  // in (bakeStart, bakeStart + interval]: after the start, never later than one interval in
  return gridDueMs + Math.floor((latest - gridDueMs) / gate.intervalMs) * gate.intervalMs;
}
