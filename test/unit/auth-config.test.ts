/** tideline.yaml `auth`: tokens by SHA-256 or from the environment, scopes, and precise errors that never show a token. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, sha256Hex } from '#config';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dirWith(tideline: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-auth-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'plans'));
  mkdirSync(join(dir, 'services'));
  writeFileSync(join(dir, 'regions.yaml'), 'regions:\n  - name: eu-west\n    kubernetes: { context: eu }\n');
  writeFileSync(join(dir, 'tideline.yaml'), tideline);
  return dir;
}

function problems(tideline: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig(dirWith(tideline), env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const HASH = sha256Hex('ci-token-0123456789abcdef');
const SECRET = 'operator-token-from-the-environment';

describe('auth tokens in tideline.yaml', () => {
  it('has no tokens by default', () => {
    expect(loadConfig(dirWith('engine: {}\n'), {}).auth).toEqual({ tokens: [] });
  });

  it('reads tokens by sha256 and from the environment (hashed at once); scopes are deduplicated', () => {
    const config = loadConfig(
      dirWith(
        `auth:\n  tokens:\n    - { name: ci, scopes: [releases:create, read, read], sha256: ${HASH.toUpperCase()} }\n    - { name: alice, scopes: [admin], tokenEnv: OPS_TOKEN }\n`,
      ),
      { OPS_TOKEN: `  ${SECRET}\n` },
    );
    expect(config.auth.tokens).toEqual([
      { name: 'ci', scopes: ['releases:create', 'read'], sha256: HASH },
      { name: 'alice', scopes: ['admin'], sha256: sha256Hex(SECRET) },
    ]);
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(Object.isFrozen(config.auth.tokens[0])).toBe(true);
  });

  it('names every mistake by its path, never printing a token', () => {
    const found = problems(
      [
        'auth:',
        '  tokens:',
        `    - { name: ci, scopes: [deploy], sha256: ${HASH} }`,
        '    - { name: Bob, scopes: [], sha256: abc }',
        `    - { name: ops, scopes: [read], sha256: ${HASH}, tokenEnv: OPS_TOKEN }`,
        '    - { name: x1, scopes: [read] }',
        '    - { name: x2, scopes: [read], tokenEnv: MISSING_TOKEN }',
        '    - { name: x3, scopes: [read], tokenEnv: SHORT_TOKEN }',
        `    - { name: tideline, scopes: [read], token: ${SECRET} }`,
        `    - { name: ci, scopes: [read], tokenEnv: OPS_TOKEN }`,
      ].join('\n'),
      { OPS_TOKEN: SECRET, SHORT_TOKEN: 'abc' },
    );
    expect(found).toEqual([
      'auth.tokens[0].scopes[0]: must be one of releases:create, releases:operate, read, admin',
      expect.stringMatching(/^auth\.tokens\[1\]\.name: must be a name of lowercase letters/),
      'auth.tokens[1].scopes: must list at least one of releases:create, releases:operate, read, admin',
      expect.stringMatching(/^auth\.tokens\[1\]\.sha256: must be the token's SHA-256 as 64 hex characters/),
      'auth.tokens[2].sha256: set exactly one of sha256 and tokenEnv',
      'auth.tokens[3].sha256: set exactly one of sha256 and tokenEnv',
      'auth.tokens[4].tokenEnv: environment variable MISSING_TOKEN is not set',
      'auth.tokens[5].tokenEnv: environment variable SHORT_TOKEN holds a token shorter than 16 characters',
      'auth.tokens[6].name: "tideline" is reserved (tideline, anonymous)',
      expect.stringMatching(/^auth\.tokens\[6\]\.token: unknown key "token" \(never put a token in the YAML/),
      'auth.tokens[6].sha256: set exactly one of sha256 and tokenEnv',
    ]);
    expect(found.join('\n')).not.toContain(SECRET);
  });

  it('refuses two tokens with one name, or one token under two names', () => {
    expect(
      problems(
        `auth:\n  tokens:\n    - { name: ci, scopes: [read], sha256: ${HASH} }\n    - { name: ci, scopes: [admin], tokenEnv: OPS_TOKEN }\n    - { name: bot, scopes: [read], sha256: ${HASH} }\n`,
        {
          OPS_TOKEN: SECRET,
        },
      ),
    ).toEqual([
      'auth.tokens[1].name: duplicate token name "ci" (also at tokens[0])',
      'auth.tokens[2]: the same token as tokens[0]: one token, one name',
    ]);
  });
});
