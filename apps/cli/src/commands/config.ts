/** `tideline config validate [DIR]`: offline; every problem as `file:line:col: path: problem`, exit 2 on any. */
import { Option, type Command } from 'commander';
import { action, examples, streams } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { Output, type Format } from '../output.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('work with a configuration directory');
  config
    .command('validate [dir]')
    .addOption(new Option('-o, --output <format>', 'text for people, json for scripts').choices(['text', 'json']).default('text'))
    .description('check a configuration directory without contacting anything (the API and worker run the same checks at start-up)')
    .addHelpText(
      'after',
      examples(
        'tideline config validate              # ./config, or TIDELINE_CONFIG_DIR',
        'tideline config validate deploy/config -o json',
        '',
        '${VAR} references are resolved from the environment, as the API would: set them (or dummies) first.',
        'Exit codes: 0 valid · 2 one or more problems (each printed as file:line:col: path: problem)',
      ),
    )
    .action(
      action(async (dir: string | undefined, _o: unknown, cmd: Command) => {
        const out = new Output(cmd.optsWithGlobals<{ output: Format }>().output, streams);
        const target = dir ?? process.env.TIDELINE_CONFIG_DIR ?? 'config';
        // loaded here: the other commands start without zod and the config schemas
        const { ConfigError, formatIssueAt, loadConfig } = await import('#config');
        try {
          const loaded = loadConfig(target, process.env);
          const summary = {
            valid: true,
            dir: loaded.dir,
            regions: loaded.regions.length,
            services: loaded.services.size,
            plans: loaded.plans.size,
            problems: [],
          };
          out.result(summary, () => [
            `${target}: valid (${summary.regions} regions, ${summary.services} services, ${summary.plans} plans)`,
          ]);
          return EXIT.ok;
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          if (out.format === 'json') out.json({ valid: false, dir: target, problems: err.issues });
          else {
            for (const issue of err.issues) out.stdout.write(`${formatIssueAt(issue)}\n`);
            out.error(`${err.issues.length} problem${err.issues.length === 1 ? '' : 's'} in ${target}`);
          }
          return EXIT.usage;
        }
      }),
    );
}
