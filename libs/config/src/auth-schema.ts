/**
 * `auth:` in tideline.yaml: the API's bearer tokens. A token is given by its SHA-256 (hex, as
 * `sha256sum` prints it) or read from an environment variable (`tokenEnv`) and hashed at once;
 * the token itself never appears in the YAML, in the loaded configuration or in a message.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isEnvName, type Env } from './interpolate.js';
import { expected, strict } from './schema-kit.js';
import type { ApiToken, AuthConfig } from './types.js';

export const SCOPES = ['releases:create', 'releases:operate', 'read', 'admin'] as const;

/** Names the engine and the unauthenticated mode write as actors: a token may not take them. */
export const RESERVED_ACTORS = ['tideline', 'anonymous'];
const NAME_HINT = 'must be a name of lowercase letters, digits, ".", "_" and "-" (at most 63), e.g. "ci" or "alice"';
const MIN_TOKEN_LENGTH = 16;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function tokenSchema(env: Env) {
  return strict(
    {
      name: z
        .string(expected(NAME_HINT))
        .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, expected(NAME_HINT))
        .refine((n) => !RESERVED_ACTORS.includes(n), { error: (i) => `"${String(i.input)}" is reserved (${RESERVED_ACTORS.join(', ')})` }),
      scopes: z
        .array(z.enum(SCOPES), expected('must be a list of scopes'))
        .min(1, expected(`must list at least one of ${SCOPES.join(', ')}`)),
      sha256: z
        .string(expected('must be the token\'s SHA-256 as 64 hex characters (printf %s "$TOKEN" | sha256sum)'))
        .regex(/^[0-9a-fA-F]{64}$/, expected('must be the token\'s SHA-256 as 64 hex characters (printf %s "$TOKEN" | sha256sum)'))
        .optional(),
      tokenEnv: z
        .string(expected('must be an environment variable name like TIDELINE_CI_TOKEN'))
        .refine(isEnvName, expected('must be an environment variable name like TIDELINE_CI_TOKEN'))
        .transform((name, check): string => {
          const value = env[name]?.trim();
          if (value === undefined || value === '') {
            check.issues.push({
              code: 'custom',
              input: name,
              message: `environment variable ${name} is ${env[name] === undefined ? 'not set' : 'empty'}`,
            });
            return z.NEVER;
          }
          if (value.length < MIN_TOKEN_LENGTH) {
            check.issues.push({
              code: 'custom',
              input: name,
              message: `environment variable ${name} holds a token shorter than ${MIN_TOKEN_LENGTH} characters`,
            });
            return z.NEVER;
          }
          return sha256Hex(value);
        })
        .optional(),
    },
    { token: 'never put a token in the YAML: give its sha256 or name an environment variable in tokenEnv' },
  )
    .superRefine((t, check) => {
      if ((t.sha256 === undefined) === (t.tokenEnv === undefined)) {
        check.addIssue({ code: 'custom', input: t, path: ['sha256'], message: 'set exactly one of sha256 and tokenEnv' });
      }
    })
    .transform((t): ApiToken => ({ name: t.name, scopes: [...new Set(t.scopes)], sha256: (t.sha256 ?? t.tokenEnv ?? '').toLowerCase() }));
}

export function authSchema(env: Env) {
  return strict({ tokens: z.array(tokenSchema(env), expected('must be a list of tokens')).optional() })
    .superRefine((a, check) => {
      const names = new Map<string, number>();
      const hashes = new Map<string, number>();
      (a.tokens ?? []).forEach((t, i) => {
        const sameName = names.get(t.name);
        if (sameName !== undefined)
          check.addIssue({
            code: 'custom',
            input: t.name,
            path: ['tokens', i, 'name'],
            message: `duplicate token name "${t.name}" (also at tokens[${sameName}])`,
          });
        else names.set(t.name, i);
        const sameHash = hashes.get(t.sha256);
        if (sameHash !== undefined)
          check.addIssue({
            code: 'custom',
            input: t.name,
            path: ['tokens', i],
            message: `the same token as tokens[${sameHash}]: one token, one name`,
          });
        else hashes.set(t.sha256, i);
      });
    })
    .transform((a): AuthConfig => ({ tokens: a.tokens ?? [] }));
}

export const NO_AUTH: AuthConfig = Object.freeze({ tokens: [] });
