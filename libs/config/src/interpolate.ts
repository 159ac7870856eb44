import type { PathSegment } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolationProblem {
  path: PathSegment[];
  message: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// `$${` is an escaped literal `${`; `${...}` a reference; a lone `${` an unterminated one.
const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in one string. The default applies when the
 * variable is unset or empty. Problems are reported (never with variable values).
 */
export function interpolateString(text: string, env: Env, problems: string[]): string {
  return text.replace(TOKEN, (token: string, body: string | undefined) => {
    if (token === '$${') return '${';
    if (body === undefined) {
      problems.push('unterminated "${": write ${VAR} or ${VAR:-default} (or $${ for a literal "${")');
      return token;
    }
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    if (!ENV_NAME.test(name)) {
      problems.push(`invalid variable reference "\${${body}}": write \${VAR} or \${VAR:-default}`);
      return token;
    }
    const value = env[name];
    if (sep !== -1) return value === undefined || value === '' ? body.slice(sep + 2) : value;
    if (value === undefined) {
      problems.push(`environment variable ${name} is not set`);
      return token;
    }
    return value;
  });
}

/**
 * Interpolates every string value (not keys) of a parsed YAML tree. Returns a new tree;
 * problems carry the path of the string they were found in.
 */
export function interpolateTree(value: unknown, env: Env, problems: InterpolationProblem[], path: PathSegment[] = []): unknown {
  if (typeof value === 'string') {
    const messages: string[] = [];
    const out = interpolateString(value, env, messages);
    for (const message of messages) problems.push({ path, message });
    return out;
  }
  if (Array.isArray(value)) return value.map((item: unknown, i) => interpolateTree(item, env, problems, [...path, i]));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: interpolateTree(item, env, problems, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}
