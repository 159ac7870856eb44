import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '#config';

const tmpDirs: string[] = [];
afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

const BASE = {
  'regions.yaml': 'regions:\n  - name: eu-west\n    kubernetes: { context: eu }\n',
  'plans/checkout.yaml': 'canary: { region: eu-west }\nwaves: []\n',
  'services/checkout.yaml': 'workloads:\n  - deployment: checkout\n',
};

function dirWith(notifications: string | undefined, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-notify-config-'));
  tmpDirs.push(dir);
  const files: Record<string, string> = {
    ...BASE,
    ...extra,
    ...(notifications !== undefined ? { 'notifications.yaml': notifications } : {}),
  };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function problems(notifications: string, env: NodeJS.ProcessEnv = {}, extra: Record<string, string> = {}): string[] {
  const dir = dirWith(notifications, extra);
  try {
    loadConfig(dir, env);
  } catch (err) {
    if (err instanceof ConfigError)
      return err.message
        .split('\n')
        .map((line) => line.replaceAll(dir, '<dir>').replace(/^.*notifications\.yaml: /, 'notifications.yaml: '));
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('notifications.yaml', () => {
  it('is optional: no file, no notifications', () => {
    expect(loadConfig(dirWith(undefined), {}).notifications).toBeUndefined();
  });

  it('loads Slack (bot) and webhooks with defaults, secrets from env and files, never shown', () => {
    const env = { SLACK_BOT_TOKEN: 'xoxb-very-secret', HOOK_SECRET: 'whsec-1' };
    const dir = dirWith(
      `slack:
  tokenEnv: SLACK_BOT_TOKEN
  defaultChannel: "#deploys"
  channels: { checkout: C0CHECKOUT }
  minSeverity: warning
webhooks:
  - name: audit
    url: https://hooks.example.com/tideline
    secretEnv: HOOK_SECRET
  - name: pager
    url: https://pager.example.com/in
    secretFile: secrets/pager
    minSeverity: failure
    events: [release.rolled_back, gate.failed]
dashboardUrl: https://tideline.example.com/
`,
      { 'secrets/pager': 'file-secret\n' },
    );
    const n = loadConfig(dir, env).notifications!;
    expect(n.dashboardUrl).toBe('https://tideline.example.com');
    expect(n.slack).toMatchObject({
      mode: 'bot',
      defaultChannel: '#deploys',
      channels: { checkout: 'C0CHECKOUT' },
      minSeverity: 'warning',
    });
    expect(n.slack!.mode === 'bot' && n.slack!.token.reveal()).toBe('xoxb-very-secret');
    expect(n.webhooks.map((w) => [w.name, w.minSeverity, w.events, w.secret.reveal()])).toEqual([
      ['audit', 'info', undefined, 'whsec-1'],
      ['pager', 'failure', ['release.rolled_back', 'gate.failed'], 'file-secret'],
    ]);
    expect(n.delivery).toEqual({
      maxAttempts: 10,
      backoffMs: 2_000,
      maxBackoffMs: 300_000,
      timeoutMs: 10_000,
      concurrency: 4,
      pollIntervalMs: 2_000,
    });
    const shown = JSON.stringify(n) + inspect(n, { depth: 10 });
    for (const secret of ['xoxb-very-secret', 'whsec-1', 'file-secret']) expect(shown).not.toContain(secret);
  });

  it('loads the incoming-webhook mode and delivery settings', () => {
    const n = loadConfig(
      dirWith(
        'slack: { mode: webhook, webhookUrlEnv: SLACK_HOOK }\ndelivery: { maxAttempts: 3, backoff: 500ms, timeout: 2s, concurrency: 2, pollInterval: 1s }\n',
      ),
      { SLACK_HOOK: 'https://hooks.slack.com/services/T/B/x' },
    ).notifications!;
    expect(n.slack).toMatchObject({ mode: 'webhook', minSeverity: 'info' });
    expect(n.delivery).toMatchObject({ maxAttempts: 3, backoffMs: 500, timeoutMs: 2_000, concurrency: 2, pollIntervalMs: 1_000 });
  });

  it('reports each mistake as file: path: problem, all at once, without secret values', () => {
    const lines = problems(
      `slack:
  token: xoxb-in-yaml
  tokenEnv: MISSING_TOKEN
  channels: { search: "#search" }
  minSeverity: loud
webhooks:
  - name: audit
    url: not-a-url
    events: [release.succeded]
  - name: audit
    url: https://x.example.com
    secretEnv: EMPTY
delivery: { backoff: soon }
`,
      { EMPTY: ' ' },
    );
    const expected = [
      'notifications.yaml: slack.token: unknown key "token" (secrets go in an environment variable or a file: use the …Env or …File key)',
      'notifications.yaml: slack.minSeverity: must be one of info, warning, failure',
      'notifications.yaml: slack.tokenEnv: environment variable MISSING_TOKEN is not set',
      'notifications.yaml: slack.channels.search: unknown service "search" (known: checkout)',
      'notifications.yaml: webhooks[0].url: must be an http(s) URL like https://hooks.example.com/tideline',
      expect.stringMatching(
        /^notifications\.yaml: webhooks\[0\]\.events\[0\]: unknown event "release\.succeded" \(did you mean "release\.succeeded"\?\)/,
      ),
      'notifications.yaml: webhooks[0].secretEnv: is required (or secretFile)',
      'notifications.yaml: webhooks[1].secretEnv: environment variable EMPTY is empty',
      'notifications.yaml: webhooks[1].name: webhook "audit" is defined twice',
      'notifications.yaml: delivery.backoff: must be a positive duration like 30s',
    ];
    expect(lines).toEqual(expect.arrayContaining(expected.map((p) => (typeof p === 'string' ? p : p))));
    expect(lines).toHaveLength(expected.length);
    expect(lines.join('\n')).not.toContain('xoxb-in-yaml');
  });

  it('keeps bot-only keys out of webhook mode', () => {
    const lines = problems('slack: { mode: webhook, webhookUrlEnv: HOOK, defaultChannel: "#x", tokenEnv: T }\n', {
      HOOK: 'https://h.example.com',
      T: 't',
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining('slack.tokenEnv: only with mode: bot'),
        expect.stringContaining('slack.defaultChannel: only with mode: bot'),
      ]),
    );
  });
});
