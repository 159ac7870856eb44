/** `tideline release get|list|events|gates|watch`: tables for people, JSON for scripts. */
import { Option, type Command } from 'commander';
import { action, context, examples } from '../context.js';
import { parseFlagDuration } from '../duration.js';
import { UNTIL, type Until } from '../exit-codes.js';
import { table } from '../output.js';
import { renderTree } from '../render-tree.js';
import { bakeReasons, type ReleaseView } from '../release-view.js';
import { waitForRelease } from '../wait.js';

type Row = Record<string, unknown>;
const s = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const id = (v: string) => encodeURIComponent(v);

export function registerReleaseRead(release: Command): void {
  release
    .command('get <id>')
    .description('show a release: its state and every stage and region')
    .addHelpText('after', examples('tideline release get 6f1c…', 'tideline release get 6f1c… -o json | jq .state'))
    .action(
      action(async (releaseId: string, _o: unknown, cmd: Command) => {
        const { client, out, link } = context(cmd);
        const r = await client.get<ReleaseView>(`/v1/releases/${id(releaseId)}`);
        out.result(r, () => [...renderTree(r, Date.now()), ...bakeReasons(r), `image ${r.image}`, link(r.id)]);
      }),
    );

  release
    .command('list')
    .description('list releases, newest first')
    .option('--service <name>', 'only this service')
    .option('--state <state>', 'only releases in this state')
    .option('--limit <n>', 'at most this many', '20')
    .option('--offset <n>', 'skip this many', '0')
    .addHelpText('after', examples('tideline release list --service checkout', 'tideline release list --state running -o json'))
    .action(
      action(async (o: { service?: string; state?: string; limit: string; offset: string }, cmd: Command) => {
        const { client, out } = context(cmd);
        const page = await client.get<{ items: Row[]; total: number }>('/v1/releases', {
          service: o.service,
          state: o.state,
          limit: o.limit,
          offset: o.offset,
        });
        out.result(page, () => [
          ...table(
            ['id', 'service', 'version', 'number', 'state', 'stage', 'created'],
            page.items.map((r) => [s(r.id), s(r.service), s(r.version), s(r.releaseNumber), s(r.state), s(r.currentStage), s(r.createdAt)]),
          ),
          `${page.items.length} of ${page.total}`,
        ]);
      }),
    );

  release
    .command('events <id>')
    .description("a release's audit log (every state change, actor and reason)")
    .option('--after <eventId>', 'only events after this one')
    .option('--limit <n>', 'at most this many')
    .addHelpText(
      'after',
      examples(
        'tideline release events 6f1c…',
        'tideline release events 6f1c… -o json | jq ".items[] | select(.type == \\"gate.failed\\")"',
      ),
    )
    .action(
      action(async (releaseId: string, o: { after?: string; limit?: string }, cmd: Command) => {
        const { client, out } = context(cmd);
        const page = await client.get<{ items: Row[] }>(`/v1/releases/${id(releaseId)}/events`, { after: o.after, limit: o.limit });
        out.result(page, () =>
          table(
            ['at', 'type', 'region', 'change', 'actor', 'reason'],
            page.items.map((e) => [
              s(e.at),
              s(e.type),
              s(e.region),
              e.fromState || e.toState ? `${s(e.fromState)}→${s(e.toState)}` : '',
              s(e.actor),
              s(e.reason),
            ]),
          ),
        );
      }),
    );

  release
    .command('gates <id>')
    .description("a release's gates per region: status, worst-case breach→action, latest evaluations")
    .option('--region <region>', 'only this region')
    .option('--gate <name>', 'only this gate')
    .option('--limit <n>', 'evaluations to show', '20')
    .addHelpText('after', examples('tideline release gates 6f1c…', 'tideline release gates 6f1c… --region eu-west -o json'))
    .action(
      action(async (releaseId: string, o: { region?: string; gate?: string; limit: string }, cmd: Command) => {
        const { client, out } = context(cmd);
        const res = await client.get<{ gates: Row[]; evaluations: Row[] }>(`/v1/releases/${id(releaseId)}/gates`, {
          region: o.region,
          gate: o.gate,
        });
        const recent = res.evaluations.slice(-Number(o.limit) || undefined);
        out.result(res, () => [
          ...table(
            ['region', 'gate', 'condition', 'last', 'evals', 'worst case', 'query'],
            res.gates.map((g) => {
              const st = (g.status ?? {}) as Row;
              return [
                s(g.region),
                s(g.gate),
                s(g.condition),
                st.failed ? 'FAILED' : s(st.lastVerdict),
                s(st.evaluations),
                s(g.worstCaseBreachToAction),
                s(g.query),
              ];
            }),
          ),
          '',
          ...table(
            ['at', 'region', 'gate', 'verdict', 'observed', 'threshold', 'reason'],
            recent.map((e) => [s(e.at), s(e.region), s(e.gate), s(e.verdict), s(e.observed), s(e.threshold), s(e.reason)]),
          ),
        ]);
      }),
    );

  release
    .command('watch <id>')
    .description('follow a release until it ends (or reaches --until); exits like `release create --wait`')
    .option('--timeout <duration>', 'stop watching after this long (exit 3)')
    .addOption(new Option('--until <state>', 'succeeded, approved or paused').choices([...UNTIL]).default('succeeded'))
    .option('--poll-interval <duration>', 'how often to ask the API', '1s')
    .addHelpText('after', examples('tideline release watch 6f1c…', 'tideline release watch 6f1c… --timeout 30m -o json | tail -n1'))
    .action(
      action(async (releaseId: string, o: { timeout?: string; until: Until; pollInterval: string }, cmd: Command) => {
        const ctx = context(cmd);
        const timeoutMs = o.timeout === undefined ? null : parseFlagDuration('--timeout', o.timeout);
        const pollMs = parseFlagDuration('--poll-interval', o.pollInterval);
        ctx.out.info(ctx.link(releaseId));
        return (await waitForRelease(ctx.client, ctx.out, releaseId, { until: o.until, timeoutMs, pollMs, link: ctx.link(releaseId) }))
          .code;
      }),
    );
}
