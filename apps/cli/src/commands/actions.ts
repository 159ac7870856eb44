/** Operator actions: `tideline pause|resume|approve|promote|rollback|cancel|retry <id> [--reason]`. */
import type { Command } from 'commander';
import { action, context, examples } from '../context.js';
import { UsageError } from '../duration.js';

const ACTIONS: Array<{ name: string; description: string; reasonRequired?: boolean }> = [
  { name: 'pause', description: 'hold a running release: no new region is touched, bake clocks stop, gates keep running' },
  { name: 'resume', description: 'resume a paused release (bake windows get back the paused time)' },
  { name: 'approve', description: 'approve the stage a release is waiting on' },
  { name: 'promote', description: "end the current stage's bake now (gates still decide); needs --reason", reasonRequired: true },
  { name: 'rollback', description: 'roll every touched region back to what ran before' },
  { name: 'cancel', description: 'stop a release that has not changed any region' },
];

interface ActionResponse {
  release: { id: string; state: string; stateReason: string | null };
  message: string;
}

async function run(cmd: Command, name: string, releaseId: string, body: Record<string, unknown>): Promise<void> {
  const { client, out } = context(cmd);
  const { body: res } = await client.post<ActionResponse>(`/v1/releases/${encodeURIComponent(releaseId)}/${name}`, body);
  out.result(res, () => [
    `${res.message}`,
    `release ${res.release.id} is ${res.release.state}${res.release.stateReason ? `: ${res.release.stateReason}` : ''}`,
  ]);
}

export function registerActions(program: Command): void {
  for (const a of ACTIONS) {
    program
      .command(`${a.name} <id>`)
      .description(a.description)
      .option('--reason <text>', a.reasonRequired ? 'why (required)' : 'why (recorded in the audit trail)')
      .addHelpText(
        'after',
        examples(
          `tideline ${a.name} 6f1c… --reason "${a.name === 'promote' ? 'hotfix, bake proven in canary' : 'checked the dashboards'}"`,
        ),
      )
      .action(
        action(async (releaseId: string, o: { reason?: string }, cmd: Command) => {
          if (a.reasonRequired && !o.reason) throw new UsageError(`${a.name} needs --reason`);
          await run(cmd, a.name, releaseId, o.reason ? { reason: o.reason } : {});
        }),
      );
  }
  program
    .command('retry <id>')
    .description('deploy a failed region of a paused release again (all failed regions of the stage without --region)')
    .option('--region <region>', 'the failed region to retry')
    .option('--reason <text>', 'why (recorded in the audit trail)')
    .addHelpText('after', examples('tideline retry 6f1c… --region eu-west --reason "node pool fixed"'))
    .action(
      action(async (releaseId: string, o: { region?: string; reason?: string }, cmd: Command) => {
        await run(cmd, 'retry', releaseId, { ...(o.region ? { region: o.region } : {}), ...(o.reason ? { reason: o.reason } : {}) });
      }),
    );
}
