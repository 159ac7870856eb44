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

/** When a Prometheus's new samples can be queried: it scrapes every `intervalMs`, and one scrape's samples were in at `readyAtMs` (its end). */
export interface ScrapeTiming {
  intervalMs: number;
  readyAtMs: number;
}

/** How long after a scrape ends a round aligned to it runs (the samples are in the head block by then). */
export const SCRAPE_SETTLE_MS = 50;

/**
 * A gate's first due time moved to just after a scrape of what it queries: the latest moment at
 * or before `dueMs` that is SCRAPE_SETTLE_MS, plus this release's share of a tenth of the gate's
 * interval (at most one scrape interval), after a scrape ends — so a round sees samples at most
 * that old, and releases due in the same scrape interval still spread over that share instead of
 * querying at one instant (at 30 s gates and 5 s scrapes: over 3 s of every 5). Every later due time is
 * then just after a scrape too (they stay whole gate intervals apart: nextDueAfter), when the
 * gate's interval is a whole number of scrape intervals; otherwise, or without timing, `dueMs`.
 * A round just after a scrape sees the samples it brought at once rather than up to one interval
 * later. A slot that would come at or before `notBeforeMs` (the bake's start) moves one scrape
 * interval later.
 */
export function alignToScrape(
  gate: GateSpec,
  dueMs: number,
  timing: ScrapeTiming | null | undefined,
  releaseId: string,
  notBeforeMs: number,
): number {
  if (!timing || !(timing.intervalMs > 0) || !Number.isFinite(timing.readyAtMs)) return dueMs;
  const scrapes = gate.intervalMs / timing.intervalMs;
  if (scrapes < 1 || Math.abs(scrapes - Math.round(scrapes)) > 1e-9) return dueMs;
  const spread = Math.min(timing.intervalMs, gate.intervalMs / 10);
  const anchor = timing.readyAtMs + SCRAPE_SETTLE_MS + Math.floor(fraction(`${releaseId}/scrape`) * spread);
  const slot = anchor + Math.floor((dueMs - anchor) / timing.intervalMs) * timing.intervalMs;
  return slot > notBeforeMs ? slot : slot + timing.intervalMs;
}
