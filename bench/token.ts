/** The benchmarks' admin token: set in TIDELINE_BENCH_TOKEN, which the spawned API inherits, and named in each bench config. */
import { randomBytes } from 'node:crypto';

process.env.TIDELINE_BENCH_TOKEN ??= `bench_${randomBytes(16).toString('hex')}`;
export const BENCH_TOKEN: string = process.env.TIDELINE_BENCH_TOKEN;
/** The `auth` block of a bench's tideline.yaml. */
export const BENCH_AUTH = { tokens: [{ name: 'bench', scopes: ['admin'], tokenEnv: 'TIDELINE_BENCH_TOKEN' }] };
/** Headers for a bench's API calls. */
export function benchHeaders(json: boolean): Record<string, string> {
  return json ? { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' } : { authorization: `Bearer ${BENCH_TOKEN}` };
}
