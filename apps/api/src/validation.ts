/** Request validation with zod: every problem becomes a field-named 400, never a 500. */
import { z } from 'zod';
import { ValidationError, type FieldProblem } from '#application';
import { shownName, unsafeStrings } from './input-guards.js';

function fieldPath(path: ReadonlyArray<PropertyKey>, root: string): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${shownName(String(p))}` : shownName(String(p));
  return out || '(body)';
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${String(issue.minimum)} characters`
        : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${String(issue.maximum)} characters` : `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/**
 * Parse `input` with `schema` or throw ValidationError naming every bad field. Every DTO, query,
 * path parameter and header goes through here, so a string Postgres refuses (NUL) or would
 * alter (a lone surrogate) is refused here once, for all of them.
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, root = ''): z.infer<T> {
  const problems: FieldProblem[] = unsafeStrings(input, (path) => fieldPath(path, root));
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success && problems.length === 0) return result.data;
  const named = new Set(problems.map((p) => p.field));
  for (const issue of result.success ? [] : result.error.issues) {
    if (issue.code !== 'unrecognized_keys' && named.has(fieldPath(issue.path, root))) continue;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        if (!named.has(fieldPath([...issue.path, key], root)))
          problems.push({ field: fieldPath([...issue.path, key], root), message: 'is not a known field' });
    } else {
      problems.push({ field: fieldPath(issue.path, root), message: describe(issue) });
    }
  }
  throw new ValidationError(problems);
}
