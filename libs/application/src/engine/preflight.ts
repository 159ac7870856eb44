/**
 * Pre-flight blockers (PRODUCT.md "Release lifecycle"): before a region is touched, a firing
 * alert for it or a deployment window that forbids it now makes the release wait, saying why.
 * A blocker is not a failure. When alerts cannot be checked, the region waits too: an
 * unanswered check is never a pass.
 */
import { checkWindow, formatLabels, renderQuery, type DeploymentWindow, targetVars } from '#domain';
import type { ReleaseRecord, TargetRecord } from '#persistence';
import type { MetricsSources } from '../ports.js';

export interface PreflightSettings {
  /** PromQL template whose non-empty result blocks a region; null = no alert check */
  alertQuery: string | null;
  recheckMs: number;
  queryTimeoutMs: number;
}

export interface RegionRules {
  timeZone: string;
  deploymentWindow: DeploymentWindow;
  /** false when the region has no Prometheus: there are no alerts to check */
  checkAlerts: boolean;
}

export interface Blocker {
  reason: string;
  /** when to look again */
  retryAtMs: number;
}

/** Drills in flight (a practice drain or rollback): a release waits rather than deploy into one. */
export interface DrillsInFlight {
  inFlight(region: string): Promise<{ id: string; kind: string } | null>;
  /** the same for many regions at once (one read instead of one per region) */
  inFlightIn?(regions: readonly string[]): Promise<Map<string, { id: string; kind: string }>>;
}

export class Preflight {
  constructor(
    private readonly metrics: MetricsSources,
    private readonly rulesFor: (region: string) => RegionRules | undefined,
    private readonly settings: PreflightSettings,
    private readonly drills?: DrillsInFlight,
  ) {}

  /** Blockers of the given targets, by target id (absent = clear to go). */
  async check(release: ReleaseRecord, targets: readonly TargetRecord[], nowMs: number): Promise<Map<string, Blocker>> {
    const blocked = new Map<string, Blocker>();
    const drills = await this.drills?.inFlightIn?.(targets.map((t) => t.region));
    await Promise.all(
      targets.map(async (t) => {
        const blocker =
          this.windowBlocker(t.region, nowMs) ??
          (await this.drillBlocker(t.region, nowMs, drills)) ??
          (await this.alertBlocker(release, t, nowMs));
        if (blocker) blocked.set(t.id, blocker);
      }),
    );
    return blocked;
  }

  private async drillBlocker(region: string, nowMs: number, known?: Map<string, { id: string; kind: string }>): Promise<Blocker | null> {
    const drill = known ? known.get(region) : await this.drills?.inFlight(region);
    if (!drill) return null;
    return { reason: `a ${drill.kind} drill (${drill.id}) is in progress in ${region}`, retryAtMs: nowMs + this.settings.recheckMs };
  }

  private windowBlocker(region: string, nowMs: number): Blocker | null {
    const rules = this.rulesFor(region);
    if (!rules) return null;
    const window = checkWindow(rules.deploymentWindow, rules.timeZone, nowMs);
    if (window.open) return null;
    const retryAtMs = window.opensAtMs === null ? nowMs + 3_600_000 : Math.min(window.opensAtMs, nowMs + 3_600_000);
    return { reason: window.reason, retryAtMs: Math.max(retryAtMs, nowMs + 1_000) };
  }

  /** A firing alert for the target's region (or alerts that cannot be checked); null when clear. Also used by the plan dry run. */
  async alertBlocker(
    release: Pick<ReleaseRecord, 'service' | 'version'>,
    t: Pick<TargetRecord, 'region' | 'workloads'>,
    nowMs: number,
  ): Promise<Blocker | null> {
    if (this.settings.alertQuery === null || this.rulesFor(t.region)?.checkAlerts === false) return null;
    const query = renderQuery(this.settings.alertQuery, { ...targetVars(release, t), window: '5m' });
    const retryAtMs = nowMs + this.settings.recheckMs;
    const outcome = await this.metrics.forRegion(t.region).query(query, { timeoutMs: this.settings.queryTimeoutMs });
    if (!outcome.ok) return { reason: `cannot check alerts for ${t.region}: ${outcome.error}`, retryAtMs };
    const result = outcome.result;
    if (result.kind === 'scalar') return result.value > 0 ? { reason: `alert query is ${result.value}`, retryAtMs } : null;
    if (result.kind !== 'vector') return { reason: `cannot check alerts for ${t.region}: the alert query must return a vector`, retryAtMs };
    if (result.series.length === 0) return null;
    const names = [...new Set(result.series.map((s) => s.labels['alertname'] ?? formatLabels(s.labels)))];
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
    return { reason: `alert${names.length > 1 ? 's' : ''} firing in ${t.region}: ${shown}`, retryAtMs };
  }
}
