/** `tideline release create`: post a release, print its id and link, and (with --wait) wait for it with honest exit codes. */
import { Option, type Command } from 'commander';
import { CliError } from '../client.js';
import { action, context, examples } from '../context.js';
import { parseFlagDuration, UsageError } from '../duration.js';
import { EXIT, UNTIL, type Until } from '../exit-codes.js';
import type { ReleaseView } from '../release-view.js';
import { waitForRelease } from '../wait.js';

interface CreateOptions {
  service: string;
  version: string;
  image: string;
  releaseNumber?: string;
  gitSha?: string;
  requestedBy?: string;
  idempotencyKey?: string;
  wait?: boolean;
  timeout?: string;
  until: Until;
  pollInterval: string;
}

/** CI systems' build numbers, used when --release-number is not given. */
const CI_NUMBER_VARS = [
  'TIDELINE_RELEASE_NUMBER',
  'GITHUB_RUN_NUMBER',
  'CI_PIPELINE_IID',
  'BUILD_NUMBER',
  'BUILDKITE_BUILD_NUMBER',
  'CIRCLE_BUILD_NUM',
];
const CI_SHA_VARS = ['GITHUB_SHA', 'CI_COMMIT_SHA', 'GIT_COMMIT', 'BUILDKITE_COMMIT', 'CIRCLE_SHA1'];
const CI_ACTOR_VARS = ['GITHUB_ACTOR', 'GITLAB_USER_LOGIN', 'BUILDKITE_BUILD_CREATOR', 'CIRCLE_USERNAME'];

function fromEnv(names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = process.env[name];
    if (value) return { name, value };
  }
  return undefined;
}

export function releaseNumberFrom(flag: string | undefined): number {
  const source = flag !== undefined ? { name: '--release-number', value: flag } : fromEnv(CI_NUMBER_VARS);
  if (source === undefined) throw new UsageError(`--release-number is required (or set one of ${CI_NUMBER_VARS.join(', ')})`);
  const n = Number(source.value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${source.name}: must be a positive integer, got ${JSON.stringify(source.value)}`);
  return n;
}

export function registerCreate(release: Command): void {
  release
    .command('create')
    .description('create a release (prints its id and link first); with --wait, wait for it and exit with its outcome')
    .requiredOption('--service <name>', 'the service to release')
    .requiredOption('--version <version>', 'the version (e.g. 1.4.2)')
    .requiredOption('--image <image>', 'pinned image: a digest (@sha256:…) or an immutable tag')
    .option('--release-number <n>', `monotonic release number (default: ${CI_NUMBER_VARS.slice(0, 3).join(' / ')} …)`)
    .option('--git-sha <sha>', 'commit (default: GITHUB_SHA / CI_COMMIT_SHA …)')
    .option('--requested-by <who>', 'who asked (default: GITHUB_ACTOR / GITLAB_USER_LOGIN …)')
    .option('--idempotency-key <key>', 'safe retries: the same key returns the same release')
    .option('--wait', 'wait until the release ends (or reaches --until)')
    .option('--timeout <duration>', 'with --wait: stop waiting after this long (exit 3; the release goes on)')
    .addOption(
      new Option('--until <state>', 'with --wait: succeeded, approved (stop when it awaits approval) or paused')
        .choices([...UNTIL])
        .default('succeeded'),
    )
    .option('--poll-interval <duration>', 'with --wait: how often to ask the API', '1s')
    .addHelpText(
      'after',
      examples(
        'tideline release create --service checkout --version 1.4.2 --image registry.example.com/checkout@sha256:… --release-number 42 --wait --timeout 2h',
        'tideline release create --service checkout --version 1.4.2 --image …:1.4.2 --wait --until approved -o json | tail -n1 | jq .state',
        '',
        'Exit codes: 0 succeeded (or reached --until) · 1 rolled back / failed · 2 usage or validation error',
        '            3 timeout (still running) · 4 cancelled / superseded · 5 paused / awaiting approval',
        '            6 API unreachable or token refused · 130 Ctrl-C (the release goes on)',
      ),
    )
    .action(
      action(async (opts: CreateOptions, cmd: Command) => {
        const ctx = context(cmd);
        const timeoutMs = opts.timeout === undefined ? null : parseFlagDuration('--timeout', opts.timeout);
        const pollMs = parseFlagDuration('--poll-interval', opts.pollInterval);
        if (!opts.wait && (opts.timeout !== undefined || opts.until !== 'succeeded'))
          throw new UsageError('--timeout and --until need --wait');
        const body = {
          service: opts.service,
          version: opts.version,
          image: opts.image,
          releaseNumber: releaseNumberFrom(opts.releaseNumber),
          gitSha: opts.gitSha ?? fromEnv(CI_SHA_VARS)?.value,
          requestedBy: opts.requestedBy ?? fromEnv(CI_ACTOR_VARS)?.value,
        };
        const headers = opts.idempotencyKey ? { 'Idempotency-Key': opts.idempotencyKey } : undefined;
        const created = await createWithRetry(ctx.client, body, headers, ctx.out.error.bind(ctx.out));
        const r = created.body;
        ctx.out.info(
          `release ${r.id} ${created.status === 201 ? 'created' : 'already exists'} (${r.state}): ${r.service} ${r.version} #${r.releaseNumber}`,
        );
        ctx.out.info(ctx.link(r.id));
        if (!opts.wait) {
          if (ctx.out.format === 'json') ctx.out.json(r);
          return EXIT.ok;
        }
        const { code } = await waitForRelease(ctx.client, ctx.out, r.id, { until: opts.until, timeoutMs, pollMs, link: ctx.link(r.id) });
        return code;
      }),
    );
}

/**
 * Creating is idempotent by (service, releaseNumber), so a request lost on the way is sent
 * again a few times before the API counts as unreachable.
 */
async function createWithRetry(
  client: import('../client.js').ApiClient,
  body: Record<string, unknown>,
  headers: Record<string, string> | undefined,
  warn: (line: string) => void,
): Promise<{ status: number; body: ReleaseView }> {
  const attempts = 4;
  for (let i = 1; ; i++) {
    try {
      return await client.post<ReleaseView>('/v1/releases', body, headers);
    } catch (err) {
      if (!(err instanceof CliError) || !err.transient || i >= attempts) throw err;
      warn(`${err.message}; trying again (${i}/${attempts - 1})`);
      await new Promise((r) => setTimeout(r, 250 * 2 ** i));
    }
  }
}
