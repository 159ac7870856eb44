/** Time-to-smoke and the wave planner's proposal as the API answers them, and their text for people. Pure. */
import { humanDuration } from './duration.js';
import { table } from './output.js';

export interface BakeRecommendationView {
  rule: string;
  bakeMs: number;
  source: 'history' | 'default';
  reason: string;
}

export interface SmokeEvidenceView {
  releaseId: string;
  version: string;
  region: string;
  gate: string;
  phase: string;
  rolloutCompletedAt: string;
  firstFailureAt: string;
  delayMs: number;
}

export interface SmokeGroupView {
  failures: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  recommendations: { twiceMean: BakeRecommendationView; p95: BakeRecommendationView };
  evidence: SmokeEvidenceView[];
}

export interface TimeToSmokeView {
  service: string;
  since: string;
  minFailures: number;
  defaultBakeMs: number;
  overall: SmokeGroupView;
  regions: Array<SmokeGroupView & { region: string }>;
}

const dur = (ms: number | null) => (ms === null ? null : humanDuration(ms));
/** A recommendation in a table cell: the bake, marked `(default)` when history was too thin. */
const bakeCell = (r: BakeRecommendationView) => `${humanDuration(r.bakeMs)}${r.source === 'default' ? ' (default)' : ''}`;

/** The table (overall first, then each region), each group's recommendations with their reason, and what was too thin. */
export function renderTimeToSmoke(t: TimeToSmokeView, opts: { evidence?: boolean } = {}): string[] {
  const groups: Array<[string, SmokeGroupView]> = [
    ['overall', t.overall],
    ...t.regions.map((r): [string, SmokeGroupView] => [r.region, r]),
  ];
  const lines = [`${t.service}: time from a region's rollout to its first failing gate, since ${t.since.slice(0, 10)}`, ''];
  lines.push(
    ...table(
      ['region', 'failures', 'mean', 'p50', 'p90', 'max', 'bake 2×mean', 'bake p95'],
      groups.map(([name, g]) => [
        name,
        g.failures,
        dur(g.meanMs),
        dur(g.p50Ms),
        dur(g.p90Ms),
        dur(g.maxMs),
        bakeCell(g.recommendations.twiceMean),
        bakeCell(g.recommendations.p95),
      ]),
    ),
  );
  lines.push('');
  const o = t.overall.recommendations;
  if (o.twiceMean.source === 'default') {
    lines.push(
      `too few failures overall: ${t.overall.failures} found, at least ${t.minFailures} needed; recommended bake: the default ${humanDuration(t.defaultBakeMs)}`,
    );
    lines.push(`  ${o.twiceMean.reason}`);
  } else {
    lines.push(`recommended bake: ${humanDuration(o.twiceMean.bakeMs)} — ${o.twiceMean.reason}`);
    lines.push(`      or, by p95: ${humanDuration(o.p95.bakeMs)} — ${o.p95.reason}`);
  }
  const thin = t.regions.filter((r) => r.recommendations.twiceMean.source === 'default');
  for (const r of t.regions.filter((x) => x.recommendations.twiceMean.source === 'history')) {
    lines.push(
      `${r.region}: bake ${humanDuration(r.recommendations.twiceMean.bakeMs)} — ${r.recommendations.twiceMean.reason}; by p95 ${humanDuration(r.recommendations.p95.bakeMs)}`,
    );
  }
  if (thin.length > 0) {
    lines.push(
      `too few failures (at least ${t.minFailures} needed) in ${thin.map((r) => `${r.region} (${r.failures})`).join(', ')}: the default bake ${humanDuration(t.defaultBakeMs)} is recommended there`,
    );
  }
  if (opts.evidence) {
    lines.push('', 'evidence:');
    lines.push(
      ...table(
        ['release', 'version', 'region', 'gate', 'phase', 'rollout completed', 'first failure', 'after'],
        t.overall.evidence.map((e) => [
          e.releaseId,
          e.version,
          e.region,
          e.gate,
          e.phase,
          e.rolloutCompletedAt,
          e.firstFailureAt,
          humanDuration(e.delayMs),
        ]),
      ).map((l) => `  ${l}`),
    );
  }
  return lines;
}

export interface ProposalView {
  service: string;
  plan: {
    canary: { region: string; reason: string };
    waves: Array<{ name: string; maxParallel: number; reason: string; regions: Array<{ region: string; reason: string }> }>;
  };
  traffic: Array<{ region: string; tier: string; tags: string[]; timeZone: string; requestRate: number | null }>;
  yaml: string;
  path: string;
}

/** The proposed waves in order, each placement with its reason, then the traffic it was based on. */
export function renderProposal(p: ProposalView): string[] {
  const lines = [`${p.service}: proposed plan (nothing written; save it with -o yaml > ${p.path})`, ''];
  lines.push(`1. canary: ${p.plan.canary.region}`, `     ${p.plan.canary.reason}`);
  p.plan.waves.forEach((w, i) => {
    const many = w.regions.length > 1;
    lines.push(`${i + 2}. ${w.name}: ${w.regions.map((r) => r.region).join(', ')}${many ? ` · max ${w.maxParallel} at once` : ''}`);
    if (many) lines.push(`     ${w.reason}`);
    for (const r of w.regions) lines.push(many ? `     ${r.region}: ${r.reason}` : `     ${r.reason}`);
  });
  lines.push('', 'traffic:');
  lines.push(
    ...table(
      ['region', 'tier', 'tags', 'time zone', 'req/s'],
      p.traffic.map((t) => [
        t.region,
        t.tier,
        t.tags.join(','),
        t.timeZone,
        t.requestRate === null ? 'not measured (tier used)' : round(t.requestRate),
      ]),
    ).map((l) => `  ${l}`),
  );
  return lines;
}

const round = (n: number) => (n >= 100 ? Math.round(n) : Math.round(n * 10) / 10);
