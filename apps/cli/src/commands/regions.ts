/** `tideline regions`, `tideline region drain|restore <region>`, `tideline audit`. */
import type { Command } from 'commander';
import { action, context, examples } from '../context.js';
import { table } from '../output.js';

type Row = Record<string, unknown>;
const s = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function registerRegions(program: Command): void {
  program
    .command('regions')
    .description('every region: traffic weight, the version each service runs, the last drain/restore')
    .addHelpText('after', examples('tideline regions', 'tideline regions -o json | jq ".items[] | {name, weight: .traffic.weight}"'))
    .action(
      action(async (_o: unknown, cmd: Command) => {
        const { client, out } = context(cmd);
        const res = await client.get<{ items: Row[] }>('/v1/regions');
        out.result(res, () =>
          table(
            ['region', 'tier', 'traffic', 'weight', 'services', 'last operation'],
            res.items.map((r) => {
              const traffic = (r.traffic ?? {}) as Row;
              const op = r.lastOperation as Row | null;
              const services = ((r.services ?? []) as Row[]).map((x) => `${s(x.service)}=${s(x.version) || '?'}`).join(' ');
              return [
                s(r.name),
                s(r.tier),
                s(traffic.provider),
                traffic.error ? `? (${s(traffic.error)})` : s(traffic.weight),
                services,
                op ? `${s(op.kind)} ${s(op.state)} ${s(op.requestedAt)}` : '',
              ];
            }),
          ),
        );
      }),
    );

  const region = program.command('region').description('drain or restore a region outside releases');
  for (const kind of ['drain', 'restore'] as const) {
    region
      .command(`${kind} <region>`)
      .description(
        kind === 'drain' ? "move the region's traffic away (verified by its request rate)" : 'put back the traffic weight a drain found',
      )
      .option('--reason <text>', 'why (recorded in the audit trail)')
      .addHelpText(
        'after',
        examples(`tideline region ${kind} eu-west --reason "${kind === 'drain' ? 'network incident INC-42' : 'incident over'}"`),
      )
      .action(
        action(async (name: string, o: { reason?: string }, cmd: Command) => {
          const { client, out } = context(cmd);
          const { body } = await client.post<{ operation: Row; message: string }>(
            `/v1/regions/${encodeURIComponent(name)}/${kind}`,
            o.reason ? { reason: o.reason } : {},
          );
          out.result(body, () => [
            body.message,
            `operation ${s(body.operation.id)} ${s(body.operation.state)}; follow it: GET /v1/regions/${name}/operations/${s(body.operation.id)}`,
          ]);
        }),
      );
  }

  program
    .command('audit')
    .description('every action by a person or CI across releases and regions, newest first')
    .option('--actor <name>', 'only this actor')
    .option('--type <type>', 'only this event type (e.g. release.rollback_requested)')
    .option('--region <region>', 'only this region')
    .option('--release <id>', 'only this release')
    .option('--since <time>', 'only after this ISO time')
    .option('--limit <n>', 'at most this many', '50')
    .option('--offset <n>', 'skip this many', '0')
    .addHelpText(
      'after',
      examples('tideline audit --actor ci-deployer --since 2026-11-01T00:00:00Z', 'tideline audit --release 6f1c… -o json'),
    )
    .action(
      action(async (o: Record<string, string | undefined>, cmd: Command) => {
        const { client, out } = context(cmd);
        const page = await client.get<{ items: Row[]; total: number }>('/v1/audit', {
          actor: o.actor,
          type: o.type,
          region: o.region,
          release: o.release,
          since: o.since,
          limit: o.limit,
          offset: o.offset,
        });
        out.result(page, () => [
          ...table(
            ['at', 'actor', 'type', 'service', 'region', 'release', 'reason'],
            page.items.map((e) => [s(e.at), s(e.actor), s(e.type), s(e.service), s(e.region), s(e.releaseId), s(e.reason)]),
          ),
          `${page.items.length} of ${page.total}`,
        ]);
      }),
    );
}
