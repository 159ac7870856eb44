/** What every command gets: the API client and the output, from flags and TIDELINE_* variables; and how a command ends. */
import { Option, type Command } from 'commander';
import { ApiClient, CliError } from './client.js';
import { parseFlagDuration, UsageError } from './duration.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { Output, type Format, type Streams } from './output.js';

export interface GlobalOptions {
  url?: string;
  token?: string;
  output: Format;
  requestTimeout: string;
}

export interface Ctx {
  client: ApiClient;
  out: Output;
  /** the API's base URL, without a trailing slash */
  url: string;
  /** link to a release in the dashboard */
  link(id: string): string;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export const streams: Streams = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export function globalOptions(program: Command): void {
  program
    .option('--url <url>', 'Tideline API URL (env TIDELINE_URL)')
    .option('--token <token>', 'API bearer token (env TIDELINE_TOKEN; prefer the variable: flags show up in process lists)');
  // a command may bring its own -o with more formats (plan propose: yaml)
  if (!program.options.some((o) => o.long === '--output')) {
    program.addOption(new Option('-o, --output <format>', 'text for people, json for scripts').choices(['text', 'json']).default('text'));
  }
  program.option('--request-timeout <duration>', 'bound on each API call', '30s');
}

export function context(cmd: Command): Ctx {
  const o = optionsOf(cmd);
  const out = new Output(o.output, streams);
  const url = (o.url ?? process.env.TIDELINE_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url / TIDELINE_URL: must be an http(s) URL, got ${JSON.stringify(url)}`);
  const token = o.token ?? process.env.TIDELINE_TOKEN;
  const client = new ApiClient({ url, token: token || undefined, timeoutMs: parseFlagDuration('--request-timeout', o.requestTimeout) });
  const dashboard = (process.env.TIDELINE_DASHBOARD_URL ?? url).replace(/\/+$/, '');
  return { client, out, url, link: (id) => `${dashboard}/releases/${id}` };
}

/**
 * The command's options with its parents' (`plan propose` under `plan`): a value given on the
 * command line wins over a default, and the command's own over its parents' — commander's
 * optsWithGlobals lets a parent's default hide the command's value.
 */
function optionsOf(cmd: Command): GlobalOptions {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const defaults: Record<string, unknown> = {};
  const given: Record<string, unknown> = {};
  for (const c of chain) for (const [k, v] of Object.entries(c.opts())) (c.getOptionValueSource(k) === 'default' ? defaults : given)[k] = v;
  return { ...defaults, ...given } as unknown as GlobalOptions;
}

/** Runs a command's body; errors become lines on stderr and an exit code, never a stack trace. */
export function action<A extends unknown[]>(body: (...args: A) => Promise<ExitCode | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    let code: number;
    try {
      code = (await body(...args)) ?? EXIT.ok;
    } catch (err) {
      code = report(err);
    }
    process.exit(code);
  };
}

export function report(err: unknown): ExitCode {
  if (err instanceof CliError) {
    process.stderr.write(`error: ${err.message}\n`);
    for (const line of err.details) process.stderr.write(`${line}\n`);
    return err.exitCode;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.failed;
}

/** `text` example block for --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
