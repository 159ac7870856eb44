/** Input no DTO may let through: strings Postgres refuses or would corrupt, and ids past bigint. */
import { z } from 'zod';
import type { FieldProblem } from '../../../libs/application/src/index.js';

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Reported per request at most; the rest would only repeat the lesson. */
const MAX_PROBLEMS = 20;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** Why Postgres would refuse (NUL) or silently alter (a lone surrogate becomes U+FFFD) this string, or null. */
export function unsafeText(s: string): string | null {
  if (NUL.test(s)) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode (it has a lone surrogate)';
  return null;
}

/**
 * Every string (and object key) anywhere in `input` that is unsafe, named by its path. Walks
 * iteratively: a body nested 100,000 levels deep must not overflow the stack.
 */
export function unsafeStrings(input: unknown, name: (path: PropertyKey[]) => string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: Array<[unknown, PropertyKey[]]> = [[input, []]];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      const why = unsafeText(value);
      if (why) problems.push({ field: name(path), message: why });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], [...path, i]]);
    } else if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value).reverse()) {
        const why = unsafeText(key);
        if (why) problems.push({ field: name([...path, key]), message: `is not a known field and its name ${why}` });
        else stack.push([(value as Record<string, unknown>)[key], [...path, key]]);
      }
    }
  }
  return problems;
}

/** A bigserial id given as text (`?after=`): decimal digits within what Postgres' bigint holds. */
export const bigintId = (what: string) =>
  z
    .string()
    .regex(/^\d{1,19}$/, `must be ${what} (a whole number)`)
    .refine((s) => BigInt(s) <= BIGINT_MAX, `must be at most ${BIGINT_MAX} (${what})`);

/** The largest `offset` a list takes (Postgres' integer; no page is that deep). */
export const MAX_OFFSET = 2_147_483_647;
