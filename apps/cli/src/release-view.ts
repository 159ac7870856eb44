/** The release as the API shows it (GET /v1/releases/{id}): only the fields the CLI reads. */

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
