import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Env } from './interpolate.js';
import { duration, nonEmptyString, positiveInt, strict } from './schema-kit.js';
import type { AuthConfig, EngineConfig, PreflightConfig } from './types.js';
import { authSchema, NO_AUTH } from './auth-schema.js';
import { templateProblems } from './gate-schema.js';

/** What file schemas need to know beyond the file itself. */
export interface SchemaContext {
  env: Env;
  /** Absolute configuration directory; relative file paths in the YAML resolve against it. */
  baseDir: string;
  /** File name without extension (services and plans are named after their file). */
  fileName: string;
  /** Region names from regions.yaml; `null` when that file could not be read (checks are skipped). */
  knownRegions: ReadonlySet<string> | null;
  knownPlans: ReadonlySet<string>;
  engine: EngineConfig;
}

export const DEFAULT_ENGINE: EngineConfig = Object.freeze({
  pollIntervalMs: 1_000,
  defaultProgressDeadlineMs: 600_000,
  sweepIntervalMs: 30_000,
  workerConcurrency: 8,
});

export const DEFAULT_PREFLIGHT: PreflightConfig = Object.freeze({
  alertQuery: 'ALERTS{alertstate="firing", region="{{region}}"}',
  recheckMs: 5_000,
});

const alertQuery = z.union([
  z.literal(false),
  nonEmptyString().superRefine((text, check) => {
    for (const message of templateProblems(text)) check.addIssue({ code: 'custom', input: text, message });
  }),
]);

/** `tideline.yaml` */
export function tidelineFileSchema(env: Env) {
  return strict({
    preflight: strict({
      alertQuery: alertQuery.optional(),
      recheckInterval: duration({ positive: true }).optional(),
    }).optional(),
    engine: strict({
      pollInterval: duration({ positive: true }).optional(),
      defaultProgressDeadline: duration({ positive: true }).optional(),
      sweepInterval: duration({ positive: true }).optional(),
      workerConcurrency: positiveInt().optional(),
    }).optional(),
    auth: authSchema(env).optional(),
  }).transform(({ engine = {}, preflight = {}, auth }): { engine: EngineConfig; preflight: PreflightConfig; auth: AuthConfig } => ({
    engine: {
      pollIntervalMs: engine.pollInterval ?? DEFAULT_ENGINE.pollIntervalMs,
      defaultProgressDeadlineMs: engine.defaultProgressDeadline ?? DEFAULT_ENGINE.defaultProgressDeadlineMs,
      sweepIntervalMs: engine.sweepInterval ?? DEFAULT_ENGINE.sweepIntervalMs,
      workerConcurrency: engine.workerConcurrency ?? DEFAULT_ENGINE.workerConcurrency,
    },
    preflight: {
      alertQuery: preflight.alertQuery === false ? null : (preflight.alertQuery ?? DEFAULT_PREFLIGHT.alertQuery),
      recheckMs: preflight.recheckInterval ?? DEFAULT_PREFLIGHT.recheckMs,
    },
    auth: auth ?? NO_AUTH,
  }));
}

/** `name:` of a service or plan: optional, but when given it must equal the file name. */
export function fileNamed(ctx: SchemaContext) {
  return nonEmptyString()
    .refine((name) => name === ctx.fileName, {
      error: () => `must equal the file name "${ctx.fileName}"`,
    })
    .optional();
}

/** A reference to a region defined in regions.yaml. */
export function regionRef(ctx: SchemaContext) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a region name') })
    .superRefine((name, check) => {
      if (ctx.knownRegions !== null && !ctx.knownRegions.has(name)) {
        check.addIssue({ code: 'custom', input: name, message: unknownRegionMessage(name, ctx.knownRegions) });
      }
    });
}

export function unknownRegionMessage(name: string, known: ReadonlySet<string>): string {
  const list = [...known].sort();
  return `unknown region ${JSON.stringify(name)} (known: ${list.length > 0 ? list.join(', ') : 'none'})`;
}

export const SECRET_HINT = 'put secrets in tokenEnv or tokenFile';

/** Resolves a file path from the YAML: `~/` is the home directory, relative paths are relative to the config directory. */
export function resolveConfigPath(ctx: SchemaContext, path: string): string {
  if (path === '~' || path.startsWith('~/')) return join(ctx.env['HOME'] ?? homedir(), path.slice(1));
  return resolve(ctx.baseDir, path);
}
