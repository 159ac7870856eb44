#!/usr/bin/env node
/** The `tideline` command: releases from CI with honest exit codes, operator actions, plan dry runs, config validation. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerActions } from './commands/actions.js';
import { registerConfig } from './commands/config.js';
import { registerLearning } from './commands/learning.js';
import { registerPlan } from './commands/plan.js';
import { registerCreate } from './commands/release-create.js';
import { registerReleaseRead } from './commands/release-read.js';
import { registerRegions } from './commands/regions.js';
import { examples, globalOptions } from './context.js';
import { EXIT } from './exit-codes.js';

// dist/apps/cli/src/main.js → the package's package.json
const { version } = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('tideline')
  .description('Tideline: progressive delivery across regions. Talks to the API at TIDELINE_URL with TIDELINE_TOKEN.')
  .version(version)
  .showHelpAfterError('(add --help for usage)')
  .configureHelp({ sortSubcommands: false })
  .enablePositionalOptions()
  .exitOverride();
program.addHelpText(
  'after',
  examples(
    'export TIDELINE_URL=https://tideline.example.com TIDELINE_TOKEN=…',
    'tideline release create --service checkout --version 1.4.2 --image registry.example.com/checkout@sha256:… --release-number 42 --wait --timeout 2h',
    'tideline release list --service checkout',
    'tideline plan checkout --version 1.4.2',
    'tideline rollback 6f1c… --reason "error rate up in eu-west"',
    'tideline config validate config/',
    'tideline time-to-smoke checkout',
    'tideline plan propose checkout -o yaml > config/plans/checkout.yaml',
    'tideline drill start --kind drain --region eu-west --goal 10m --reason "weekly practice" --wait',
    '',
    'Exit codes: 0 ok · 1 rolled back / failed / refused / drill failed or missed its goal · 2 usage or validation · 3 timeout · 4 cancelled / superseded',
    '            5 paused / awaiting approval · 6 API unreachable or token refused · 130 Ctrl-C (the release goes on)',
  ),
);

const release = program.command('release').description('create, inspect and follow releases');
registerCreate(release);
registerReleaseRead(release);
registerActions(program);
const plan = registerPlan(program);
registerRegions(program);
registerConfig(program);
registerLearning(program, plan);
// --url, --token, -o … belong to each command (so `--version` of `release create` is not the program's)
const leaves = (c: Command): Command[] => (c.commands.length === 0 ? [c] : c.commands.flatMap(leaves));
for (const leaf of [...leaves(program), plan]) if (leaf.name() !== 'validate') globalOptions(leaf);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end with exit code 0; everything else commander refuses is a usage error
    process.exit(
      err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.ok : EXIT.usage,
    );
  }
  throw err;
}
