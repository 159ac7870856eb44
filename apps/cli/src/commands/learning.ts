/** `tideline time-to-smoke`, `tideline plan propose`, `tideline drill start|list|get`: learning from history (issue 12). */
import { Option, type Command } from 'commander';
import { action, context, examples } from '../context.js';
import { renderDrill, renderDrills, type DrillTrendView, type DrillView } from '../drill-view.js';
import { parseFlagDuration } from '../duration.js';
import { renderProposal, renderTimeToSmoke, type ProposalView, type TimeToSmokeView } from '../learning-view.js';
import { waitForDrill } from '../wait-drill.js';

const enc = encodeURIComponent;
/** `--region a --region b` and `--region a,b` alike */
const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

export function registerLearning(program: Command, plan: Command): void {
  program
    .command('time-to-smoke <service>')
    .description(
      "how long after a region's rollout problems showed up in past releases, per region and overall, and the bake that history recommends",
    )
    .option('--days <n>', 'look this many days back', '180')
    .option('--evidence', 'also list every failure counted (release, region, gate, delay)')
    .addHelpText(
      'after',
      examples(
        'tideline time-to-smoke checkout',
        'tideline time-to-smoke checkout --days 90 --evidence',
        'tideline time-to-smoke checkout -o json | jq .overall.recommendations',
      ),
    )
    .action(
      action(async (service: string, o: { days: string; evidence?: boolean }, cmd: Command) => {
        const { client, out } = context(cmd);
        const res = await client.get<TimeToSmokeView>(`/v1/services/${enc(service)}/time-to-smoke`, { days: o.days });
        out.result(res, () => renderTimeToSmoke(res, { evidence: o.evidence === true }));
      }),
    );

  plan
    .command('propose <service>')
    .description(
      "propose the waves from the regions' traits, time zones and measured traffic, each placement with its reason (writes nothing)",
    )
    .option('--region <region>', 'only these regions (repeat, or comma-separated); default: every configured region', collect)
    .addOption(
      new Option('-o, --output <format>', 'text for people, json for scripts, yaml: the plan file itself')
        .choices(['text', 'json', 'yaml'])
        .default('text'),
    )
    .addHelpText(
      'after',
      examples(
        'tideline plan propose checkout',
        'tideline plan propose checkout --region eu-west --region us-east',
        'tideline plan propose checkout -o yaml > config/plans/checkout.yaml',
      ),
    )
    .action(
      action(async (service: string, o: { region?: string[]; output: string }, cmd: Command) => {
        const { client, out } = context(cmd);
        const { body } = await client.post<ProposalView>('/v1/plans/propose', { service, ...(o.region ? { regions: o.region } : {}) });
        if (o.output === 'yaml') out.stdout.write(body.yaml.endsWith('\n') ? body.yaml : `${body.yaml}\n`);
        else out.result(body, () => renderProposal(body));
      }),
    );

  const drill = program.command('drill').description('practise a drain or a rollback of one region, timed against a goal');
  drill
    .command('start')
    .description('start a drill; it is always undone (also after a crash, at the latest after its maximum duration)')
    .addOption(
      new Option('--kind <kind>', 'drain: drain the region and restore it; rollback: roll a service back and forward')
        .choices(['drain', 'rollback'])
        .makeOptionMandatory(),
    )
    .requiredOption('--region <region>', 'the region to practise on')
    .option('--service <name>', 'the service (required for a rollback drill)')
    .requiredOption('--goal <duration>', 'the time to meet: drain 99% or roll back within it (e.g. 10m)')
    .option('--max-duration <duration>', 'undo the drill after this long whatever happens (API default 30m, at most 2h)')
    .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
    .option(
      '--wait',
      'wait until the drill ends: exit 0 when it succeeded within its goal, 1 when it failed, was aborted or missed the goal',
    )
    .option('--timeout <duration>', 'with --wait: stop waiting after this long (exit 3; the drill goes on)')
    .option('--poll-interval <duration>', 'with --wait: how often to ask the API', '1s')
    .addHelpText(
      'after',
      examples(
        'tideline drill start --kind drain --region eu-west --goal 10m --reason "weekly practice" --wait',
        'tideline drill start --kind rollback --region us-east --service checkout --goal 5m --reason "rollback practice" --wait --timeout 30m -o json | tail -n1',
      ),
    )
    .action(
      action(
        async (
          o: {
            kind: string;
            region: string;
            service?: string;
            goal: string;
            maxDuration?: string;
            reason: string;
            wait?: boolean;
            timeout?: string;
            pollInterval: string;
          },
          cmd: Command,
        ) => {
          const { client, out } = context(cmd);
          const timeoutMs = o.timeout === undefined ? null : parseFlagDuration('--timeout', o.timeout);
          const pollMs = parseFlagDuration('--poll-interval', o.pollInterval);
          const body = {
            kind: o.kind,
            region: o.region,
            goal: o.goal,
            reason: o.reason,
            ...(o.service ? { service: o.service } : {}),
            ...(o.maxDuration ? { maxDuration: o.maxDuration } : {}),
          };
          const res = await client.post<{ drill: DrillView; message: string }>('/v1/drills', body);
          const d = res.body.drill;
          out.info(`drill ${d.id} started: ${res.body.message}`);
          if (!o.wait) {
            out.result(d, () => renderDrill(d));
            return;
          }
          return waitForDrill(client, out, d.id, { timeoutMs, pollMs });
        },
      ),
    );

  drill
    .command('list')
    .description('drills, newest first, and the trend of their times per region and kind')
    .option('--region <region>', 'only this region')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(['drain', 'rollback']))
    .option('--limit <n>', 'at most this many', '100')
    .addHelpText('after', examples('tideline drill list', 'tideline drill list --region eu-west --kind drain -o json | jq .trend'))
    .action(
      action(async (o: { region?: string; kind?: string; limit: string }, cmd: Command) => {
        const { client, out } = context(cmd);
        const res = await client.get<{ items: DrillView[]; trend: DrillTrendView[] }>('/v1/drills', {
          region: o.region,
          kind: o.kind,
          limit: o.limit,
        });
        out.result(res, () => renderDrills(res));
      }),
    );

  drill
    .command('get <id>')
    .description('one drill: its times against the goal and its events')
    .addHelpText('after', examples('tideline drill get 3b9e…', 'tideline drill get 3b9e… -o json | jq .firstMs'))
    .action(
      action(async (id: string, _o: unknown, cmd: Command) => {
        const { client, out } = context(cmd);
        const d = await client.get<DrillView>(`/v1/drills/${enc(id)}`);
        out.result(d, () => renderDrill(d));
      }),
    );
}
