/**
 * What regions.yaml says about a region beyond its cluster: where its metrics are
 * (`prometheus`), how its traffic is moved (`traffic`) and when it may be changed
 * (`deploymentWindow`). Each may be set under `defaults:` and overridden per region.
 */
import { z } from 'zod';
import type { AllowRule, DeploymentWindow, Weekday } from '#domain';
import { isEnvName } from './interpolate.js';
import type { SchemaContext } from './schema.js';
import { duration, expected, nonEmptyString, strict } from './schema-kit.js';
import { Secret } from './secret.js';
import { TRAFFIC_PROVIDERS, type PrometheusConfig, type TrafficConfig } from './types.js';
import { templateProblems } from './gate-schema.js';
import { gatewayConfig, gatewayFields, gatewayProblems } from './gateway-schema.js';

const URL_HINT = 'must be an http(s) URL like http://prometheus:9090';
const httpUrl = () =>
  z.string(expected(URL_HINT)).refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, expected(URL_HINT));

/** `FOO_TOKEN` → the Secret in $FOO_TOKEN; problems name the variable, never its value. */
function envSecret(ctx: SchemaContext) {
  return z
    .string(expected('must be an environment variable name like PROM_TOKEN'))
    .refine(isEnvName, expected('must be an environment variable name like PROM_TOKEN'))
    .transform((name, check): Secret => {
      const value = ctx.env[name];
      if (value === undefined || value.trim() === '') {
        check.issues.push({
          code: 'custom',
          input: name,
          message: `environment variable ${name} is ${value === undefined ? 'not set' : 'empty'}`,
        });
        return z.NEVER;
      }
      return new Secret(value.trim());
    });
}

const PROMETHEUS_SECRET_HINTS = {
  token: 'name an environment variable in bearerTokenEnv',
  bearerToken: 'name an environment variable in bearerTokenEnv',
  password: 'name an environment variable in bearerTokenEnv',
};
const TRAFFIC_SECRET_HINTS = {
  token: 'name an environment variable in tokenEnv',
  bearerToken: 'name an environment variable in tokenEnv',
  secret: 'name an environment variable in secretEnv',
};

export function prometheusSchema(ctx: SchemaContext) {
  return strict(
    { url: httpUrl(), bearerTokenEnv: envSecret(ctx).optional(), timeout: duration({ positive: true }).optional() },
    PROMETHEUS_SECRET_HINTS,
  ).transform((p): PrometheusConfig => ({
    url: p.url.replace(/\/+$/, ''),
    timeoutMs: p.timeout ?? 10_000,
    ...(p.bearerTokenEnv ? { bearerToken: p.bearerTokenEnv } : {}),
  }));
}

export const NO_TRAFFIC: TrafficConfig = Object.freeze({
  provider: 'none',
  drainedFraction: 0.01,
  drainTimeoutMs: 600_000,
  timeoutMs: 5_000,
  windowMs: 15_000,
});

export function trafficSchema(ctx: SchemaContext) {
  return strict(
    {
      provider: z.enum(TRAFFIC_PROVIDERS),
      url: httpUrl().optional(),
      tokenEnv: envSecret(ctx).optional(),
      secretEnv: envSecret(ctx).optional(),
      rateQuery: nonEmptyString()
        .superRefine((text, check) => {
          for (const message of templateProblems(text)) check.addIssue({ code: 'custom', input: text, message });
        })
        .optional(),
      drainedFraction: z
        .number(expected('must be a number between 0 and 1'))
        .gt(0, expected('must be a number between 0 and 1'))
        .lt(1, expected('must be a number between 0 and 1'))
        .optional(),
      drainTimeout: duration({ positive: true }).optional(),
      window: duration({ positive: true }).optional(),
      timeout: duration({ positive: true }).optional(),
      ...gatewayFields(ctx),
    },
    TRAFFIC_SECRET_HINTS,
  )
    .superRefine((t, check) => {
      for (const p of gatewayProblems(t)) check.addIssue({ code: 'custom', input: t, path: p.path, message: p.message });
      if (t.provider !== 'none' && t.provider !== 'gateway-api' && t.url === undefined)
        check.addIssue({ code: 'custom', input: t, path: ['url'], message: `is required for provider ${t.provider}` });
      if (t.provider === 'none' && t.url !== undefined)
        check.addIssue({ code: 'custom', input: t, path: ['url'], message: 'provider none takes no url' });
    })
    .transform((t): TrafficConfig => ({
      provider: t.provider,
      drainedFraction: t.drainedFraction ?? NO_TRAFFIC.drainedFraction,
      drainTimeoutMs: t.drainTimeout ?? NO_TRAFFIC.drainTimeoutMs,
      timeoutMs: t.timeout ?? NO_TRAFFIC.timeoutMs,
      windowMs: t.window ?? NO_TRAFFIC.windowMs,
      ...(t.url !== undefined ? { url: t.url.replace(/\/+$/, '') } : {}),
      ...(t.tokenEnv ? { token: t.tokenEnv } : {}),
      ...(t.secretEnv ? { secret: t.secretEnv } : {}),
      ...(t.rateQuery !== undefined ? { rateQuery: t.rateQuery } : {}),
      ...(gatewayConfig(t) ? { gateway: gatewayConfig(t)! } : {}),
    }));
}

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAYS_HINT = 'must be a list of days like [mon, tue] or a range like "mon-fri"';
// The end may be 24:00 (midnight at the end of the day), never 24:01 or later.
const HOURS = /^([01]\d|2[0-3]):([0-5]\d)-((?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const HOURS_HINT = 'must be a time range like "09:00-17:00" (24h, local time of the region)';

function parseDays(value: unknown): Weekday[] | null {
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (items === null || items.length === 0) return null;
  const days = new Set<Weekday>();
  for (const item of items) {
    if (typeof item !== 'string') return null;
    const parts = item.toLowerCase().split('-');
    if (parts.length > 2) return null;
    const [from, to] = parts as [string, string | undefined];
    const a = WEEKDAYS.indexOf(from as Weekday);
    const b = to === undefined ? a : WEEKDAYS.indexOf(to as Weekday);
    if (a < 0 || b < 0) return null;
    for (let i = a; ; i = (i + 1) % 7) {
      days.add(WEEKDAYS[i]!);
      if (i === b) break;
    }
  }
  return WEEKDAYS.filter((d) => days.has(d));
}

/** `Date.parse` rolls 2026-02-30 over to March 2nd: the date part must exist in the calendar. */
function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const instant = (hint: string) =>
  z.string(expected(hint)).transform((text, check): number => {
    const ms = !isCalendarDate(text)
      ? NaN
      : /^\d{4}-\d{2}-\d{2}$/.test(text)
        ? Date.parse(`${text}T00:00:00Z`)
        : /(Z|[+-]\d{2}:?\d{2})$/.test(text)
          ? Date.parse(text)
          : NaN;
    if (Number.isNaN(ms)) {
      check.issues.push({ code: 'custom', input: text, message: hint });
      return z.NEVER;
    }
    return ms;
  });

const INSTANT_HINT = 'must be a date like 2026-12-24 (UTC midnight) or a time with an offset like 2026-12-24T18:00:00+01:00';

export const deploymentWindowSchema = strict({
  allow: z
    .array(
      strict({
        // Omitted: every day (`optional()` so that zod does not call a missing key required).
        days: z
          .unknown()
          .optional()
          .transform((value, check): Weekday[] => {
            const days = parseDays(value ?? 'mon-sun');
            if (days === null) {
              check.issues.push({ code: 'custom', input: value, message: DAYS_HINT });
              return z.NEVER;
            }
            return days;
          }),
        hours: z.string(expected(HOURS_HINT)).regex(HOURS, expected(HOURS_HINT)).optional(),
      }).transform((rule): AllowRule => {
        const m = HOURS.exec(rule.hours ?? '00:00-24:00')!;
        const [endHour, endMinute] = m[3]!.split(':').map(Number) as [number, number];
        return { days: rule.days, startMinute: Number(m[1]) * 60 + Number(m[2]), endMinute: endHour * 60 + endMinute };
      }),
      expected('must be a list of { days, hours } rules'),
    )
    .optional(),
  freezes: z
    .array(
      strict({ from: instant(INSTANT_HINT), to: instant(INSTANT_HINT), reason: nonEmptyString() }).superRefine((f, check) => {
        if (f.to <= f.from) check.addIssue({ code: 'custom', input: f, path: ['to'], message: 'must be after from' });
      }),
      expected('must be a list of { from, to, reason } freezes'),
    )
    .optional(),
}).transform((w): DeploymentWindow => ({
  allow: w.allow ?? [],
  freezes: (w.freezes ?? []).map((f) => ({ fromMs: f.from, toMs: f.to, reason: f.reason })),
}));

export const ALWAYS_OPEN: DeploymentWindow = Object.freeze({ allow: [], freezes: [] });

/** The keys a region (and `defaults:`) may set besides its cluster. */
export function regionOpsFields(ctx: SchemaContext) {
  return {
    prometheus: prometheusSchema(ctx).optional(),
    traffic: trafficSchema(ctx).optional(),
    deploymentWindow: deploymentWindowSchema.optional(),
  };
}

export function regionDefaultsSchema(ctx: SchemaContext) {
  return strict(regionOpsFields(ctx)).optional();
}
