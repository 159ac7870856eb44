/** Input no DTO may let through: strings Postgres refuses or would corrupt, and ids past bigint. */
import { z } from 'zod';
import type { FieldProblem } from '#application';

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Reported per request at most; the rest would only repeat the lesson. */
const MAX_PROBLEMS = 20;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** A name short and plain enough not to be a secret itself (a token sent as a parameter name). */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
export const HIDDEN_NAME = '(a name not shown)';

/** `name` if it is plain enough to echo in an answer or a log line, else a placeholder. */
export function shownName(name: string): string {
  return PLAIN_NAME.test(name) ? name : HIDDEN_NAME;
}

/** Why Postgres would refuse (NUL) or silently alter (a lone surrogate becomes U+FFFD) this string, or null. */
export function unsafeText(s: string): string | null {
  if (NUL.test(s)) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode (it has a lone surrogate)';
  return null;
}

/** A step of a path, linked to its parent: copying whole paths would be quadratic in the depth. */
interface Step {
  key: PropertyKey;
  up: Step | null;
}

function pathOf(step: Step | null): PropertyKey[] {
  const out: PropertyKey[] = [];
  for (let s = step; s; s = s.up) out.unshift(s.key);
  return out;
}

/**
 * Every string (and object key) anywhere in `input` that is unsafe, named by its path. Walks
 * iteratively in linear time: a body nested 100,000 levels deep must neither overflow the
 * stack nor stall the process.
 */
export function unsafeStrings(input: unknown, name: (path: PropertyKey[]) => string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: Array<[unknown, Step | null]> = [[input, null]];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const [value, at] = stack.pop()!;
    if (typeof value === 'string') {
      const why = unsafeText(value);
      if (why) problems.push({ field: name(pathOf(at)), message: why });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], { key: i, up: at }]);
    } else if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value).reverse()) {
        const why = unsafeText(key);
        if (why) problems.push({ field: name(pathOf({ key, up: at })), message: `is not a known field and its name ${why}` });
        else stack.push([(value as Record<string, unknown>)[key], { key, up: at }]);
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
    .refine((s) => !/^\d{1,19}$/.test(s) || BigInt(s) <= BIGINT_MAX, `must be at most ${BIGINT_MAX} (${what})`); // zod runs refinements after a failed regex too

/** The largest `offset` a list takes (Postgres' integer; no page is that deep). */
export const MAX_OFFSET = 2_147_483_647;
