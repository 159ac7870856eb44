import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { isEnvName, isRecord } from './interpolate.js';
import type { SchemaContext } from './schema.js';
import { resolveConfigPath, SECRET_HINT } from './schema.js';
import { dnsLabel, expected, nonEmptyString, strict, unknownKeyMessage, validate } from './schema-kit.js';
import type { Problem } from './schema-kit.js';
import { Secret } from './secret.js';
import type { KubernetesTarget, RegionConfig } from './types.js';
import { errorCode } from './yaml-file.js';
import { ALWAYS_OPEN, NO_TRAFFIC, regionDefaultsSchema, regionOpsFields } from './region-ops-schema.js';

const TOKEN_HINTS = { token: SECRET_HINT, bearerToken: SECRET_HINT, password: SECRET_HINT };

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function httpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const contextSchema = strict(
  { context: nonEmptyString(), allowExec: z.boolean(expected('must be true or false')).default(false) },
  {
    ...TOKEN_HINTS,
    tokenEnv: 'only with server',
    tokenFile: 'only with server',
    skipTLSVerify: 'only with server',
    caFile: 'only with server',
  },
);

const serverSchema = strict(
  {
    server: z.string(expected('must be a string')).refine(httpUrl, expected('must be an http(s) URL like https://10.0.0.1:6443')),
    tokenEnv: z
      .string(expected('must be a string'))
      .refine(isEnvName, expected('must be an environment variable name like CLUSTER_TOKEN'))
      .optional(),
    tokenFile: nonEmptyString().optional(),
    skipTLSVerify: z.boolean(expected('must be true or false')).default(false),
    caFile: nonEmptyString().optional(),
  },
  { ...TOKEN_HINTS, allowExec: 'only with context (a server with a token runs nothing)' },
);

const KUBERNETES_KEYS = ['context', 'server', 'tokenEnv', 'tokenFile', 'skipTLSVerify', 'caFile', 'allowExec'];
const EITHER = 'must set either context (a kubeconfig context) or server (an API server URL)';

/** `{ context }` or `{ server, tokenEnv?, tokenFile?, skipTLSVerify?, caFile? }`, secrets resolved. */
function resolveKubernetes(value: unknown, ctx: SchemaContext): { ok: true; value: KubernetesTarget } | { ok: false; problems: Problem[] } {
  if (value === undefined) return { ok: false, problems: [{ path: [], message: 'is required' }] };
  if (!isRecord(value)) return { ok: false, problems: [{ path: [], message: `${EITHER}` }] };
  const hasContext = 'context' in value;
  const hasServer = 'server' in value;
  if (hasContext && hasServer) return { ok: false, problems: [{ path: [], message: 'set either context or server, not both' }] };
  if (!hasContext && !hasServer) {
    const problems: Problem[] = [{ path: [], message: EITHER }];
    for (const key of Object.keys(value)) {
      if (!KUBERNETES_KEYS.includes(key))
        problems.push({ path: [key], message: unknownKeyMessage(key, KUBERNETES_KEYS, TOKEN_HINTS[key as keyof typeof TOKEN_HINTS]) });
    }
    return { ok: false, problems };
  }
  if (hasContext) {
    const parsed = validate(contextSchema, value);
    return parsed.ok ? { ok: true, value: { kind: 'context', context: parsed.value.context, allowExec: parsed.value.allowExec } } : parsed;
  }
  // Secrets and files are checked even when other fields are wrong, so every problem shows at once.
  const parsed = validate(serverSchema, value);
  const problems: Problem[] = parsed.ok ? [] : [...parsed.problems];
  const wrong = (key: string) => problems.some((p) => p.path[0] === key);
  const str = (key: string): string | undefined => {
    const field = value[key];
    return typeof field === 'string' && !wrong(key) ? field : undefined;
  };
  const tokenEnv = str('tokenEnv');
  const tokenFile = str('tokenFile');
  const caFile = str('caFile');
  let token: Secret | undefined;
  if (tokenEnv !== undefined && tokenFile !== undefined) {
    problems.push({ path: ['tokenFile'], message: 'set either tokenEnv or tokenFile, not both' });
  } else if (tokenEnv !== undefined) {
    const secret = ctx.env[tokenEnv];
    if (secret === undefined) problems.push({ path: ['tokenEnv'], message: `environment variable ${tokenEnv} is not set` });
    else if (secret.trim() === '') problems.push({ path: ['tokenEnv'], message: `environment variable ${tokenEnv} is empty` });
    else token = new Secret(secret.trim());
  } else if (tokenFile !== undefined) {
    try {
      const secret = readFileSync(resolveConfigPath(ctx, tokenFile), 'utf8').trim();
      if (secret === '') problems.push({ path: ['tokenFile'], message: `token file ${JSON.stringify(tokenFile)} is empty` });
      else token = new Secret(secret);
    } catch (err) {
      problems.push({ path: ['tokenFile'], message: `cannot read token file ${JSON.stringify(tokenFile)}: ${errorCode(err)}` });
    }
  }
  let caPath: string | undefined;
  if (caFile !== undefined) {
    caPath = resolveConfigPath(ctx, caFile);
    const problem = unreadableFile(caPath);
    if (problem !== undefined) problems.push({ path: ['caFile'], message: `cannot read CA file ${JSON.stringify(caFile)}: ${problem}` });
  }
  if (!parsed.ok || problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      kind: 'server',
      server: parsed.value.server,
      ...(token !== undefined ? { token } : {}),
      skipTLSVerify: parsed.value.skipTLSVerify,
      ...(caPath !== undefined ? { caFile: caPath } : {}),
    },
  };
}

function unreadableFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a file';
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return errorCode(err);
  }
}

export function kubernetesSchema(ctx: SchemaContext) {
  return z.unknown().transform((value, check): KubernetesTarget => {
    const result = resolveKubernetes(value, ctx);
    if (result.ok) return result.value;
    for (const problem of result.problems)
      check.issues.push({ code: 'custom', input: value, path: problem.path, message: problem.message });
    return z.NEVER;
  });
}

const TAG_HINT = 'must be a lowercase tag of letters, digits and "-", e.g. "mobile-heavy"';

type RegionDefaults = Partial<Pick<RegionConfig, 'prometheus' | 'traffic' | 'deploymentWindow'>>;

function regionSchema(ctx: SchemaContext) {
  return strict(
    {
      name: dnsLabel(),
      timeZone: z
        .string(expected('must be a string'))
        .refine(isTimeZone, {
          error: (issue) => `unknown time zone ${JSON.stringify(issue.input)} (expected an IANA name like Europe/Paris)`,
        })
        .default('UTC'),
      traits: strict({
        tier: z.enum(['low', 'high']).default('low'),
        tags: z.array(dnsLabel(TAG_HINT), expected('must be a list of tags')).default([]),
      }).optional(),
      kubernetes: kubernetesSchema(ctx),
      ...regionOpsFields(ctx),
    },
    TOKEN_HINTS,
  );
}

function withDefaults(region: z.output<ReturnType<typeof regionSchema>>, defaults: RegionDefaults): RegionConfig {
  return {
    name: region.name,
    timeZone: region.timeZone,
    traits: { tier: region.traits?.tier ?? 'low', tags: [...new Set(region.traits?.tags ?? [])] },
    kubernetes: region.kubernetes,
    prometheus: region.prometheus ?? defaults.prometheus ?? null,
    traffic: region.traffic ?? defaults.traffic ?? NO_TRAFFIC,
    deploymentWindow: region.deploymentWindow ?? defaults.deploymentWindow ?? ALWAYS_OPEN,
  };
}

export interface RegionsFile {
  regions: RegionConfig[];
  kubeconfigPath?: string;
}

/** `regions.yaml` */
export function regionsFileSchema(ctx: SchemaContext) {
  return strict({
    kubeconfig: nonEmptyString().optional(),
    defaults: regionDefaultsSchema(ctx),
    regions: z.array(regionSchema(ctx), expected('must be a list of regions')).min(1, expected('must list at least one region')),
  }).transform(({ kubeconfig, defaults, regions }): RegionsFile => ({
    regions: regions.map((r) => withDefaults(r, defaults ?? {})),
    ...(kubeconfig !== undefined ? { kubeconfigPath: resolveConfigPath(ctx, kubeconfig) } : {}),
  }));
}
