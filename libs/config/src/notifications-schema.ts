/**
 * `notifications.yaml` (optional; no file, no notifications): Slack (bot token with one
 * thread per release, or an incoming webhook), signed generic webhooks, delivery settings.
 * Secrets (bot token, webhook URL, signing secrets) come from `…Env` / `…File`, never YAML.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { NOTIFIABLE_EVENT_TYPES, SEVERITIES, type Severity } from '../../domain/src/notifications.js';
import { isEnvName, isRecord } from './interpolate.js';
import type { SchemaContext } from './schema.js';
import { resolveConfigPath } from './schema.js';
import { closest, dnsLabel, duration, expected, nonEmptyString, positiveInt, strict } from './schema-kit.js';
import { Secret } from './secret.js';
import { errorCode } from './yaml-file.js';

export interface SlackBotConfig {
  mode: 'bot';
  token: Secret;
  /** Web API base URL (tests, proxies); default https://slack.com/api/ */
  apiUrl?: string;
  /** Channel for services not listed in `channels`; without it those services post nothing. */
  defaultChannel?: string;
  channels: Record<string, string>;
  minSeverity: Severity;
  events?: string[];
}

export interface SlackWebhookConfig {
  mode: 'webhook';
  webhookUrl: Secret;
  minSeverity: Severity;
  events?: string[];
}

export type SlackConfig = SlackBotConfig | SlackWebhookConfig;

export interface WebhookConfig {
  name: string;
  url: string;
  secret: Secret;
  minSeverity: Severity;
  events?: string[];
}

export interface DeliveryConfig {
  /** failed attempts before a delivery is dead-lettered (rate-limited attempts do not count) */
  maxAttempts: number;
  /** first retry delay; doubles on each failure up to maxBackoffMs */
  backoffMs: number;
  maxBackoffMs: number;
  /** bound on each HTTP call to Slack or a webhook */
  timeoutMs: number;
  /** deliveries in flight per worker process */
  concurrency: number;
  /** how often the dispatcher looks for new events and overdue deliveries */
  pollIntervalMs: number;
}

export interface NotificationsConfig {
  /** base URL of links in messages (`<dashboardUrl>/releases/<id>`) */
  dashboardUrl: string;
  slack?: SlackConfig;
  webhooks: WebhookConfig[];
  delivery: DeliveryConfig;
}

export const DEFAULT_DELIVERY: DeliveryConfig = Object.freeze({
  maxAttempts: 10,
  backoffMs: 2_000,
  maxBackoffMs: 300_000,
  timeoutMs: 10_000,
  concurrency: 4,
  pollIntervalMs: 2_000,
});

const SECRET_HINT = 'secrets go in an environment variable or a file: use the …Env or …File key';

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const httpUrl = (example: string) =>
  z.string(expected('must be a string')).refine(isHttpUrl, expected(`must be an http(s) URL like ${example}`));
const envName = () =>
  z.string(expected('must be a string')).refine(isEnvName, expected('must be an environment variable name like SLACK_BOT_TOKEN'));
const channel = () =>
  z
    .string(expected('must be a string'))
    .regex(/^[#@]?[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, expected('must be a Slack channel like "#deploys" or a channel id like C0123456789'));
const severity = () => z.enum(SEVERITIES).default('info');
const eventList = () =>
  z
    .array(
      z.string(expected('must be a string')).superRefine((type, check) => {
        if (NOTIFIABLE_EVENT_TYPES.includes(type)) return;
        const hint = closest(type, NOTIFIABLE_EVENT_TYPES);
        check.addIssue({
          code: 'custom',
          input: type,
          message: `unknown event ${JSON.stringify(type)}${hint ? ` (did you mean "${hint}"?)` : ''}; known: ${NOTIFIABLE_EVENT_TYPES.join(', ')}`,
        });
      }),
      expected('must be a list of event types'),
    )
    .min(1, expected('must not be empty (leave it out to get every event)'));

type Report = (path: Array<string | number>, message: string) => void;
const silent: Report = () => undefined;
const reporter =
  (check: z.core.$RefinementCtx): Report =>
  (path, message) =>
    check.addIssue({ code: 'custom', input: undefined, path, message });
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads a secret from `<envKey>` or `<fileKey>` (exactly one), reporting problems at that key. */
function readSecret(
  ctx: SchemaContext,
  report: Report,
  value: { env?: string; file?: string },
  keys: [string, string],
): Secret | undefined {
  const [envKey, fileKey] = keys;
  const problem = (key: string, message: string) => report([key], message);
  if (value.env !== undefined && value.file !== undefined) return void problem(fileKey, `set either ${envKey} or ${fileKey}, not both`);
  if (value.env !== undefined) {
    const secret = ctx.env[value.env]?.trim();
    if (secret === undefined) return void problem(envKey, `environment variable ${value.env} is not set`);
    if (secret === '') return void problem(envKey, `environment variable ${value.env} is empty`);
    return new Secret(secret);
  }
  if (value.file !== undefined) {
    try {
      const secret = readFileSync(resolveConfigPath(ctx, value.file), 'utf8').trim();
      if (secret === '') return void problem(fileKey, `file ${JSON.stringify(value.file)} is empty`);
      return new Secret(secret);
    } catch (err) {
      return void problem(fileKey, `cannot read file ${JSON.stringify(value.file)}: ${errorCode(err)}`);
    }
  }
  problem(envKey, `is required (or ${fileKey})`);
  return undefined;
}

/**
 * Mode, secret and routing checks. A refinement that runs even when other keys are wrong, so
 * every problem of the file shows at once; it reads raw values defensively.
 */
function checkSlack(ctx: SchemaContext, knownServices: ReadonlySet<string>, raw: Record<string, unknown>, report: Report): void {
  const mode = raw['mode'] ?? 'bot';
  const only = (keys: string[], m: string) => keys.filter((k) => raw[k] !== undefined).forEach((k) => report([k], `only with mode: ${m}`));
  if (mode === 'webhook') {
    only(['tokenEnv', 'tokenFile', 'apiUrl', 'defaultChannel', 'channels'], 'bot');
    const url = readSecret(ctx, report, { env: text(raw['webhookUrlEnv']), file: text(raw['webhookUrlFile']) }, [
      'webhookUrlEnv',
      'webhookUrlFile',
    ]);
    if (url && !isHttpUrl(url.reveal()))
      report([raw['webhookUrlEnv'] !== undefined ? 'webhookUrlEnv' : 'webhookUrlFile'], 'the secret must be an http(s) URL');
    return;
  }
  if (mode !== 'bot') return;
  only(['webhookUrlEnv', 'webhookUrlFile'], 'webhook');
  readSecret(ctx, report, { env: text(raw['tokenEnv']), file: text(raw['tokenFile']) }, ['tokenEnv', 'tokenFile']);
  const channels = raw['channels'] !== null && typeof raw['channels'] === 'object' ? Object.keys(raw['channels']) : [];
  for (const service of channels) {
    if (!knownServices.has(service)) {
      report(
        ['channels', service],
        `unknown service ${JSON.stringify(service)} (known: ${[...knownServices].sort().join(', ') || 'none'})`,
      );
    }
  }
  if (raw['defaultChannel'] === undefined && channels.length === 0)
    report(['defaultChannel'], 'is required unless channels lists services');
}

function slackSchema(ctx: SchemaContext, knownServices: ReadonlySet<string>) {
  return strict(
    {
      mode: z.enum(['bot', 'webhook']).default('bot'),
      tokenEnv: envName().optional(),
      tokenFile: nonEmptyString().optional(),
      webhookUrlEnv: envName().optional(),
      webhookUrlFile: nonEmptyString().optional(),
      apiUrl: httpUrl('https://slack.com/api/').optional(),
      defaultChannel: channel().optional(),
      channels: z.record(z.string(), channel(), expected('must be a mapping of service name to channel')).optional(),
      minSeverity: severity(),
      events: eventList().optional(),
    },
    { token: SECRET_HINT, webhookUrl: SECRET_HINT, url: SECRET_HINT },
  )
    .superRefine((s, check) => checkSlack(ctx, knownServices, s as Record<string, unknown>, reporter(check)), {
      when: (p) => isRecord(p.value),
    })
    .transform((s): SlackConfig => {
      const filter = { minSeverity: s.minSeverity, ...(s.events ? { events: s.events } : {}) };
      if (s.mode === 'webhook') {
        const webhookUrl = readSecret(ctx, silent, { env: s.webhookUrlEnv, file: s.webhookUrlFile }, ['webhookUrlEnv', 'webhookUrlFile'])!;
        return { mode: 'webhook', webhookUrl, ...filter };
      }
      return {
        mode: 'bot',
        token: readSecret(ctx, silent, { env: s.tokenEnv, file: s.tokenFile }, ['tokenEnv', 'tokenFile'])!,
        ...(s.apiUrl !== undefined ? { apiUrl: s.apiUrl.endsWith('/') ? s.apiUrl : `${s.apiUrl}/` } : {}),
        ...(s.defaultChannel !== undefined ? { defaultChannel: s.defaultChannel } : {}),
        channels: { ...(s.channels ?? {}) },
        ...filter,
      };
    });
}

function webhookSchema(ctx: SchemaContext) {
  return strict(
    {
      name: dnsLabel(),
      url: httpUrl('https://hooks.example.com/tideline'),
      secretEnv: envName().optional(),
      secretFile: nonEmptyString().optional(),
      minSeverity: severity(),
      events: eventList().optional(),
    },
    { secret: SECRET_HINT },
  )
    .superRefine(
      (w, check) =>
        void readSecret(ctx, reporter(check), { env: text(w['secretEnv']), file: text(w['secretFile']) }, ['secretEnv', 'secretFile']),
      { when: (p) => isRecord(p.value) },
    )
    .transform((w): WebhookConfig => {
      const secret = readSecret(ctx, silent, { env: w.secretEnv, file: w.secretFile }, ['secretEnv', 'secretFile'])!;
      return { name: w.name, url: w.url, secret, minSeverity: w.minSeverity, ...(w.events ? { events: w.events } : {}) };
    });
}

/** `notifications.yaml`; `knownServices` are the service file names (for `slack.channels`). */
export function notificationsFileSchema(ctx: SchemaContext, knownServices: ReadonlySet<string>) {
  return strict({
    dashboardUrl: httpUrl('https://tideline.example.com').default('http://localhost:8080'),
    slack: slackSchema(ctx, knownServices).optional(),
    webhooks: z
      .array(webhookSchema(ctx), expected('must be a list of webhooks'))
      .superRefine(
        (hooks, check) => {
          const seen = new Set<string>();
          (hooks as unknown[]).forEach((h, i) => {
            const name = isRecord(h) ? text(h['name']) : undefined;
            if (name === undefined) return;
            if (seen.has(name))
              check.addIssue({
                code: 'custom',
                input: name,
                path: [i, 'name'],
                message: `webhook ${JSON.stringify(name)} is defined twice`,
              });
            seen.add(name);
          });
        },
        { when: (p) => Array.isArray(p.value) },
      )
      .default([]),
    delivery: strict({
      maxAttempts: positiveInt().optional(),
      backoff: duration({ positive: true }).optional(),
      maxBackoff: duration({ positive: true }).optional(),
      timeout: duration({ positive: true }).optional(),
      concurrency: positiveInt().optional(),
      pollInterval: duration({ positive: true }).optional(),
    }).optional(),
  }).transform(({ dashboardUrl, slack, webhooks, delivery = {} }): NotificationsConfig => ({
    dashboardUrl: dashboardUrl.replace(/\/+$/, ''),
    ...(slack ? { slack } : {}),
    webhooks,
    delivery: {
      maxAttempts: delivery.maxAttempts ?? DEFAULT_DELIVERY.maxAttempts,
      backoffMs: delivery.backoff ?? DEFAULT_DELIVERY.backoffMs,
      maxBackoffMs: Math.max(delivery.maxBackoff ?? DEFAULT_DELIVERY.maxBackoffMs, delivery.backoff ?? 0),
      timeoutMs: delivery.timeout ?? DEFAULT_DELIVERY.timeoutMs,
      concurrency: delivery.concurrency ?? DEFAULT_DELIVERY.concurrency,
      pollIntervalMs: delivery.pollInterval ?? DEFAULT_DELIVERY.pollIntervalMs,
    },
  }));
}
