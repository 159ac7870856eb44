/**
 * Bake coverage: a region is verified only when passing evaluations of each gate observed its
 * whole bake (PRODUCT.md: a gate never passes what it did not observe).
 *
 * - A passing evaluation at `t` (verdict pass, or inconclusive under policy `pass`) observed
 *   [t − reach, t], clipped to the bake's start. reach = interval + slack (slack = half the
 *   interval, at least 1s); when the query uses `{{window}}`, the window reaches further if it
 *   is longer (its range covers the span between evaluations).
 * - Any other verdict observes nothing: an error, an inconclusive under `pause`, a failure
 *   below `failureLimit` leave time uncovered, exactly like a tick that never ran.
 * - Uncovered time between the bake's start and the latest passing evaluation is a gap. The
 *   bake counts only covered time: a region is covered when covered time ≥ bake length
 *   (bakeEndsAt − rollout completed, so a pause adds its length and a promote removes the time
 *   it skipped). Each gap therefore extends the bake by its length; one late look covers only
 *   its own reach, never the span it missed.
 */
import { templateVariables } from './template.js';
import type { GateSpec } from './types.js';

export interface CoverageGap {
  fromMs: number;
  toMs: number;
}

export interface Coverage {
  /** the bake's start (rollout completed) this coverage is counted from */
  fromMs: number;
  /** the end of the latest passing evaluation's reach (its time) */
  toMs: number;
  /** covered time within [fromMs, toMs] */
  coveredMs: number;
  /** uncovered spans, oldest first; at most MAX_KEPT_GAPS are kept (gapCount counts them all) */
  gaps: CoverageGap[];
  gapCount: number;
}

export const MAX_KEPT_GAPS = 20;

export function coverageSlackMs(gate: GateSpec): number {
  return Math.max(1000, Math.round(gate.intervalMs / 2));
}

/** How far back one passing evaluation of this gate observed. */
export function evaluationReachMs(gate: GateSpec): number {
  const cadence = gate.intervalMs + coverageSlackMs(gate);
  return templateVariables(gate.query).includes('window') ? Math.max(cadence, gate.windowMs) : cadence;
}

export function emptyCoverage(bakeStartMs: number): Coverage {
  return { fromMs: bakeStartMs, toMs: bakeStartMs, coveredMs: 0, gaps: [], gapCount: 0 };
}

/** Coverage after a passing evaluation at `atMs`; a coverage counted from another bake start starts over. */
export function extendCoverage(gate: GateSpec, coverage: Coverage | null | undefined, bakeStartMs: number, atMs: number): Coverage {
  const cov = coverage && coverage.fromMs === bakeStartMs ? coverage : emptyCoverage(bakeStartMs);
  if (atMs <= cov.toMs) return cov;
  const reachFrom = Math.max(bakeStartMs, atMs - evaluationReachMs(gate));
  if (reachFrom <= cov.toMs) return { ...cov, toMs: atMs, coveredMs: cov.coveredMs + (atMs - cov.toMs) };
  const gap = { fromMs: cov.toMs, toMs: reachFrom };
  const gaps = cov.gaps.length < MAX_KEPT_GAPS ? [...cov.gaps, gap] : cov.gaps;
  return { ...cov, toMs: atMs, coveredMs: cov.coveredMs + (atMs - reachFrom), gaps, gapCount: cov.gapCount + 1 };
}

export interface BakeWindow {
  startMs: number;
  endMs: number;
}

/** Covered time still missing before this bake counts as observed (0 when covered). */
export function missingCoverageMs(coverage: Coverage | null | undefined, bake: BakeWindow): number {
  const required = Math.max(0, bake.endMs - bake.startMs);
  const covered = coverage && coverage.fromMs === bake.startMs ? coverage.coveredMs : 0;
  return Math.max(0, required - covered);
}

/** Uncovered time within [startMs, toMs] (gaps, even those beyond the kept list). */
export function uncoveredMs(coverage: Coverage): number {
  return coverage.toMs - coverage.fromMs - coverage.coveredMs;
}
