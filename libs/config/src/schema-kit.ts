import { z } from 'zod';
import { DURATION_HINT, parseDuration } from './duration.js';
import type { PathSegment } from './errors.js';

/** A problem relative to the value being validated. */
export interface Problem {
  path: PathSegment[];
  message: string;
}

type RawIssue = z.core.$ZodRawIssue;

/** Parse-level messages: say what was expected, in YAML terms. */
export function defaultMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${describeType(issue.expected)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return Number(issue.minimum) === 1 ? 'must not be empty' : `must have at least ${issue.minimum} items`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return `must be at most ${issue.maximum}`;
    default:
      return undefined;
  }
}

function describeType(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a mapping (key: value)';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'int':
      return 'an integer';
    default:
      return `a ${expected}`;
  }
}

/** Validates `data`, returning typed output or problems with our messages and paths. */
export function validate<T extends z.ZodType>(
  schema: T,
  data: unknown,
): { ok: true; value: z.output<T> } | { ok: false; problems: Problem[] } {
  const result = schema.safeParse(data, { reportInput: true, error: defaultMessage });
  return result.success ? { ok: true, value: result.data } : { ok: false, problems: toProblems(result.error.issues) };
}

export function toProblems(issues: readonly z.core.$ZodIssue[]): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.map((segment): PathSegment => (typeof segment === 'number' ? segment : String(segment)));
    if (issue.code === 'unrecognized_keys') {
      // `strict` joins one message per key with newlines, in key order.
      const messages = issue.message.split('\n');
      issue.keys.forEach((key, i) => problems.push({ path: [...path, key], message: messages[i] ?? `unknown key "${key}"` }));
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      problems.push({ path, message: 'is required' });
    } else {
      problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

/**
 * A mapping that rejects unknown keys, one problem per key, with a "did you mean" hint
 * (or a specific hint from `hints`, e.g. for `token`).
 */
export function strict<S extends z.ZodRawShape>(shape: S, hints: Readonly<Record<string, string>> = {}) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys.map((key) => unknownKeyMessage(key, known, hints[key])).join('\n');
    },
  });
}

export function unknownKeyMessage(key: string, known: readonly string[], hint?: string): string {
  if (hint !== undefined) return `unknown key "${key}" (${hint})`;
  const suggestion = closest(key, known);
  return suggestion === undefined ? `unknown key "${key}"` : `unknown key "${key}" (did you mean "${suggestion}"?)`;
}

/** Closest candidate within a small edit distance, for typo hints. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** Error params that answer `message` for a present-but-wrong value, "is required" for a missing one. */
export function expected(message: string) {
  return { error: (issue: RawIssue) => (issue.input === undefined ? 'is required' : message) };
}

export const POSITIVE_INT = 'must be a positive integer';
export const positiveInt = () => z.int(expected(POSITIVE_INT)).min(1, expected(POSITIVE_INT));

export const nonEmptyString = () => z.string(expected('must be a string')).min(1, expected('must not be empty'));

/** A duration string → milliseconds. `positive` rejects `0s`. */
export function duration(opts: { positive?: boolean } = {}) {
  const hint = opts.positive ? 'must be a positive duration like 30s' : DURATION_HINT;
  return z.string(expected(hint)).transform((text, ctx): number => {
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch {
      ctx.issues.push({ code: 'custom', input: text, message: hint });
      return z.NEVER;
    }
    if (opts.positive && ms === 0) {
      ctx.issues.push({ code: 'custom', input: text, message: hint });
      return z.NEVER;
    }
    return ms;
  });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_LABEL_HINT = 'must be a lowercase name of letters, digits and "-" (at most 63 characters), e.g. "eu-west"';

export function isDnsLabel(text: string): boolean {
  return text.length <= 63 && DNS_LABEL.test(text);
}

export const dnsLabel = (hint = DNS_LABEL_HINT) => z.string(expected('must be a string')).refine(isDnsLabel, expected(hint));

export const dnsSubdomain = () =>
  z
    .string(expected('must be a string'))
    .refine(
      (text) => text.length <= 253 && DNS_SUBDOMAIN.test(text),
      expected('must be a lowercase Kubernetes name of letters, digits, "-" and "." (at most 253 characters)'),
    );
