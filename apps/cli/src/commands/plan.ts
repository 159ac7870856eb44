/** `tideline plan SERVICE`: what a release would do right now (POST /v1/plans/dry-run); nothing is written. */
import type { Command } from 'commander';
import { action, context, examples } from '../context.js';
import { humanDuration } from '../duration.js';
import { table } from '../output.js';

export interface DryRunGate {
  name: string;
  condition: string;
  interval: string;
  failureLimit: number;
  worstCaseBreachToActionMs: number;
  queries: Array<{ region: string; query: string; baselineQuery: string | null }>;
}

export interface DryRunStage {
  index: number;
  name: string;
  kind: string;
  regions: string[];
  maxParallel: number;
  bakeMs: number;
  progressDeadlineMs: number;
  approval: string;
  onFailure: string;
  gates: DryRunGate[];
}

export interface DryRunBlocker {
  region: string;
  kind: 'alert' | 'window' | 'unchecked';
  reason: string;
  opensAt: string | null;
}

export interface DryRun {
  service: string;
  plan: string;
  version: string | null;
  image: string | null;
  stages: DryRunStage[];
  blockers: DryRunBlocker[];
  estimate: { totalMs: number; bakeMs: number; deployMs: number; deployPerRegionMs: number; deploySource: string; approvals: number };
  queuedBehind: string | null;
}

export function renderDryRun(p: DryRun): string[] {
  const lines = [`${p.service}: plan ${p.plan}${p.version ? `, version ${p.version}` : ''}${p.image ? `, image ${p.image}` : ''}`];
  if (p.queuedBehind) lines.push(`would be queued behind release ${p.queuedBehind}`);
  lines.push('');
  for (const s of p.stages) {
    lines.push(
      `${s.index + 1}. ${s.name}: ${s.regions.join(', ')} · max ${s.maxParallel} at once · bake ${humanDuration(s.bakeMs)} · on failure ${s.onFailure}${s.approval === 'required' ? ' · approval required' : ''}`,
    );
    for (const g of s.gates) {
      lines.push(
        `   gate ${g.name} ${g.condition} every ${g.interval} × ${g.failureLimit} · worst case breach→action ${humanDuration(g.worstCaseBreachToActionMs)}`,
      );
      for (const q of g.queries) lines.push(`     ${q.region}: ${q.query}`);
    }
  }
  lines.push('');
  if (p.blockers.length === 0) lines.push('blockers now: none');
  else {
    lines.push('blockers now:');
    lines.push(
      ...table(
        ['region', 'kind', 'reason', 'opens at'],
        p.blockers.map((b) => [b.region, b.kind, b.reason, b.opensAt]),
      ).map((l) => `  ${l}`),
    );
  }
  const e = p.estimate;
  lines.push(
    `estimated duration: ${humanDuration(e.totalMs)} (bakes ${humanDuration(e.bakeMs)} + deploys ${humanDuration(e.deployMs)} at ${humanDuration(e.deployPerRegionMs)} per region, ${e.deploySource}${e.approvals > 0 ? `; plus ${e.approvals} approval wait${e.approvals > 1 ? 's' : ''}` : ''})`,
  );
  return lines;
}

export function registerPlan(program: Command): Command {
  return program
    .command('plan <service>')
    .description('dry run: stages, regions, gates (queries resolved per region), blockers right now, worst cases and an estimated duration')
    .option('--version <version>', 'the version the gates would see')
    .option('--image <image>', 'the image (checked as a release would be)')
    .addHelpText(
      'after',
      examples('tideline plan checkout', 'tideline plan checkout --version 1.4.2 --image registry.example.com/checkout:1.4.2 -o json'),
    )
    .action(
      action(async (service: string, o: { version?: string; image?: string }, cmd: Command) => {
        const { client, out } = context(cmd);
        const { body } = await client.post<DryRun>('/v1/plans/dry-run', {
          service,
          ...(o.version ? { version: o.version } : {}),
          ...(o.image ? { image: o.image } : {}),
        });
        out.result(body, () => renderDryRun(body));
      }),
    );
}
