/**
 * The tests' API token: an admin token named `test-admin`, given to the API through the
 * TIDELINE_TEST_TOKEN environment variable (spawned processes inherit it) and sent by the
 * api-client by default. Each test process draws its own.
 */
import { randomBytes } from 'node:crypto';

export const TEST_TOKEN_ENV = 'TIDELINE_TEST_TOKEN';
process.env[TEST_TOKEN_ENV] ??= `tl_test_${randomBytes(16).toString('hex')}`;
export const TEST_TOKEN: string = process.env[TEST_TOKEN_ENV]!;
export const TEST_ACTOR = 'test-admin';

/** `auth:` for a test tideline.yaml. */
export function testAuth(extra: Array<Record<string, unknown>> = []) {
  return { tokens: [{ name: TEST_ACTOR, scopes: ['admin'], tokenEnv: TEST_TOKEN_ENV }, ...extra] };
}
