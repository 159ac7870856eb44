/** One problem found while loading the configuration. */
export interface ConfigIssue {
  /** The file, relative to the working directory when it lies below it, else as given. */
  file: string;
  /** Location inside the file (`waves[2].maxParallel`); empty for the file as a whole. */
  path: string;
  /** What is wrong, phrased as what was expected. Never contains secret values. */
  message: string;
  /** 1-based line of the offending node, when it could be located. */
  line?: number;
  /** 1-based column of the offending node, with `line`. */
  column?: number;
}

export type PathSegment = string | number;

/** `<file>: <path>: <message>`, or `<file>: <message>` when the issue concerns the whole file. */
export function formatIssue(issue: ConfigIssue): string {
  return issue.path ? `${issue.file}: ${issue.path}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

/** `<file>:<line>:<col>: <path>: <message>` (compiler style, for editors and CI logs); without a position, as `formatIssue`. */
export function formatIssueAt(issue: ConfigIssue): string {
  if (issue.line === undefined) return formatIssue(issue);
  const at = `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  return issue.path ? `${at}: ${issue.path}: ${issue.message}` : `${at}: ${issue.message}`;
}

/** Thrown by `loadConfig`; its message lists every problem, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(issues.length > 0 ? issues.map(formatIssue).join('\n') : 'invalid configuration');
    this.issues = issues.map((issue) => ({ ...issue }));
  }
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `['waves', 2, 'maxParallel']` → `waves[2].maxParallel`. Keys with unusual characters are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}
