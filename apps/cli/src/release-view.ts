/** The release as the API shows it (GET /v1/releases/{id}): only the fields the CLI reads. */
import { humanDuration } from './duration.js';

export interface GateView {
  lastVerdict: string | null;
  evaluations: number;
  failed: boolean;
}

export interface TargetView {
  region: string;
  state: string;
  reason: string | null;
  bakeEndsAt: string | null;
  blockedReason: string | null;
  gates?: Record<string, GateView>;
}

export interface StageView {
  index: number;
  name: string;
  kind: string;
  bakeMs: number;
  /** how a `bake: auto` stage's bake was resolved from history (frozen with the release) */
  bakeReason?: string;
  maxParallel: number;
  approval: string;
  onFailure: string;
  regions: TargetView[];
}

export interface ReleaseView {
  id: string;
  service: string;
  version: string;
  image: string;
  releaseNumber: number;
  state: string;
  stateReason: string | null;
  currentStage: string | null;
  pausedAt?: string | null;
  stages?: StageView[];
}

/** Gates whose last verdict is not a pass (or that failed), as `name: verdict`. */
export function troubledGates(t: TargetView): string[] {
  return Object.entries(t.gates ?? {})
    .filter(([, g]) => g.failed || (g.lastVerdict !== null && g.lastVerdict !== 'pass'))
    .map(([name, g]) => `${name}: ${g.failed ? 'failed' : g.lastVerdict}`)
    .sort();
}

/** One line per stage whose bake was resolved from time-to-smoke (`bake: auto`), with the frozen reason. */
export function bakeReasons(r: ReleaseView): string[] {
  return (r.stages ?? []).filter((s) => s.bakeReason).map((s) => `bake of ${s.name}: ${humanDuration(s.bakeMs)} (${s.bakeReason})`);
}
