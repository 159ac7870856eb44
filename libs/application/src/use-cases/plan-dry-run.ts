/**
 * Plan dry run (PRODUCT.md "Interfaces"): what a release of a service would do right now —
 * stages and regions in order, each gate's query resolved per region, today's blockers
 * (firing alerts through the pre-flight code, closed deployment windows and when they open),
 * the worst case from a breach to the failure action, and an estimated duration. Reads only.
 */
import type { TidelineConfig } from '#config';
import {
  checkWindow,
  formatPromDuration,
  renderQuery,
  validateReleaseImage,
  worstCaseBreachToActionMs,
  type GateSpec,
  type StageSnapshot,
  targetVars,
} from '#domain';
import type { DeployHistory } from '#persistence';
import { ValidationError } from '../errors.js';
import type { Clock } from '../ports.js';
import type { Preflight } from '../engine/preflight.js';
import { servicePlan } from '../service-plan.js';

/** Deploy time per region assumed when the service has no completed deploy in Postgres yet. */
export const DEFAULT_DEPLOY_MS = 120_000;

export interface DryRunInput {
  service: string;
  version?: string;
  image?: string;
}

export interface DryRunGate {
  spec: GateSpec;
  worstCaseBreachToActionMs: number;
  queries: Array<{ region: string; query: string; baselineQuery: string | null; evidenceQuery: string | null }>;
}

export interface DryRunBlocker {
  region: string;
  stage: string;
  kind: 'window' | 'alert' | 'unchecked';
  reason: string;
  /** when a closed window opens (null: unknown, or not a window) */
  opensAtMs: number | null;
}

export interface DryRunResult {
  service: string;
  plan: string;
  version: string | null;
  previousVersion: string | null;
  image: string | null;
  atMs: number;
  stages: Array<{ stage: StageSnapshot; gates: DryRunGate[] }>;
  blockers: DryRunBlocker[];
  estimate: {
    totalMs: number;
    bakeMs: number;
    deployMs: number;
    deployPerRegionMs: number;
    deploySamples: number;
    deploySource: string;
    approvals: number;
  };
  activeRelease: { id: string; state: string } | null;
}

export class PlanDryRun {
  constructor(
    private readonly config: TidelineConfig,
    private readonly history: DeployHistory,
    private readonly preflight: Preflight,
    private readonly clock: Clock,
  ) {}

  async execute(input: DryRunInput): Promise<DryRunResult> {
    const { service, snapshot } = servicePlan(this.config, input.service);
    if (input.image !== undefined) {
      const image = validateReleaseImage(input.image);
      if (!image.ok) throw new ValidationError([{ field: 'image', message: image.problem }]);
    }

    const nowMs = this.clock.now().getTime();
    const [typical, previousVersion, activeRelease] = await Promise.all([
      this.history.typicalDeploy(service.name),
      this.history.currentVersion(service.name),
      this.history.activeRelease(service.name),
    ]);
    const release = { service: service.name, version: input.version ?? '<version>' };
    const allRegions = snapshot.stages.flatMap((s) => s.regions.map((r) => r.region));

    const stages = snapshot.stages.map((stage) => ({
      stage,
      gates: (stage.gates ?? []).map((gate): DryRunGate => ({
        spec: gate,
        worstCaseBreachToActionMs: worstCaseBreachToActionMs(gate),
        queries: stage.regions.map((t) => {
          const vars = { ...targetVars(release, t, previousVersion ?? '<previous version>'), window: formatPromDuration(gate.windowMs) };
          const others = allRegions.filter((r) => r !== t.region);
          return {
            region: t.region,
            query: renderQuery(gate.query, vars),
            baselineQuery:
              gate.condition.kind === 'baseline' && others.length > 0
                ? renderQuery(gate.query, { ...vars, region: others.join('|'), version: vars.previousVersion })
                : null,
            evidenceQuery: gate.minEvidence ? renderQuery(gate.minEvidence.query, vars) : null,
          };
        }),
      })),
    }));

    const blockers = (
      await Promise.all(
        snapshot.stages.flatMap((stage) =>
          stage.regions.map(async (t): Promise<DryRunBlocker[]> => {
            const found: DryRunBlocker[] = [];
            const region = this.config.regionsByName.get(t.region);
            if (region) {
              const window = checkWindow(region.deploymentWindow, region.timeZone, nowMs);
              if (!window.open)
                found.push({ region: t.region, stage: stage.name, kind: 'window', reason: window.reason, opensAtMs: window.opensAtMs });
            }
            const alert = await this.preflight.alertBlocker(release, t, nowMs);
            if (alert)
              found.push({
                region: t.region,
                stage: stage.name,
                kind: alert.reason.startsWith('cannot check') ? 'unchecked' : 'alert',
                reason: alert.reason,
                opensAtMs: null,
              });
            return found;
          }),
        ),
      )
    ).flat();

    const deployPerRegionMs = typical?.medianMs ?? DEFAULT_DEPLOY_MS;
    let bakeMs = 0;
    let deployMs = 0;
    for (const s of snapshot.stages) {
      const rounds = Math.ceil(s.regions.length / Math.max(1, s.maxParallel));
      bakeMs += rounds * s.bakeMs;
      deployMs += rounds * deployPerRegionMs;
    }
    return {
      service: service.name,
      plan: snapshot.planName,
      version: input.version ?? null,
      previousVersion,
      image: input.image ?? null,
      atMs: nowMs,
      stages,
      blockers,
      estimate: {
        totalMs: bakeMs + deployMs,
        bakeMs,
        deployMs,
        deployPerRegionMs,
        deploySamples: typical?.samples ?? 0,
        deploySource: typical
          ? `median of the last ${typical.samples} deploy${typical.samples === 1 ? '' : 's'} of ${service.name}`
          : `default ${formatPromDuration(DEFAULT_DEPLOY_MS)} per region (no deploy history yet)`,
        approvals: snapshot.stages.filter((s) => s.approval === 'required').length,
      },
      activeRelease,
    };
  }
}
