/** Gate query templates: `{{region}}` / `{{ region }}` placeholders and Prometheus durations. */

export interface TemplateVars {
  region: string;
  service: string;
  namespace: string;
  version: string;
  previousVersion: string;
  window: string;
}

export const TEMPLATE_VARIABLES: readonly (keyof TemplateVars)[] = [
  'region',
  'service',
  'namespace',
  'version',
  'previousVersion',
  'window',
];

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const PLACEHOLDER = /\{\{\s*([^}\s]*)\s*\}\}/g;
/** Characters that could end a PromQL string literal or break the query. */
const UNSAFE_VALUE = /["'`\\\n\r]/;

function isKnown(name: string): name is keyof TemplateVars {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name);
}

/** Variable names used by a template, in order of first use (known or not). */
export function templateVariables(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Problems with a template (unknown variables, malformed `{{…}}`); empty when valid. */
export function validateTemplate(template: string): string[] {
  const problems: string[] = [];
  for (const name of templateVariables(template)) {
    if (!isKnown(name)) problems.push(`unknown variable {{${name}}} (known: ${TEMPLATE_VARIABLES.join(', ')})`);
  }
  const rest = template.replace(PLACEHOLDER, '');
  const stray = /\{\{[^]{0,30}/.exec(rest);
  if (stray) problems.push(`malformed placeholder near "${stray[0]}" (write {{name}})`);
  return problems;
}

/**
 * Replaces every `{{name}}` with its value. Throws TemplateError for an unknown variable, a
 * malformed placeholder, or a value containing quotes, backslashes or newlines (which could
 * escape a PromQL string literal). `|` is allowed: baseline queries use region=~"a|b".
 */
export function renderQuery(template: string, vars: TemplateVars): string {
  const problems = validateTemplate(template);
  if (problems.length > 0) throw new TemplateError(problems.join('; '));
  return template.replace(PLACEHOLDER, (_whole, name: string) => {
    if (!isKnown(name)) throw new TemplateError(`unknown variable {{${name}}}`);
    const value = vars[name];
    if (UNSAFE_VALUE.test(value))
      throw new TemplateError(`variable ${name} has a value that cannot be placed in a query: ${JSON.stringify(value)}`);
    return value;
  });
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** 30000 → "30s", 120000 → "2m", 1500 → "1500ms": the largest unit that divides exactly. */
export function formatPromDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`a Prometheus duration must be positive, got ${ms}ms`);
  const whole = Math.max(1, Math.round(ms));
  for (const [unit, size] of UNITS) {
    if (whole % size === 0) return `${whole / size}${unit}`;
  }
  return `${whole}ms`;
}

/** The query variables for a release's target region (gates, alerts, drain rate), minus `window`. */
export function targetVars(
  release: { service: string; version: string },
  t: { region: string; workloads: ReadonlyArray<{ namespace: string }> },
  previousVersion = '',
): Omit<TemplateVars, 'window'> {
  return {
    region: t.region,
    service: release.service,
    namespace: t.workloads[0]?.namespace ?? 'default',
    version: release.version,
    previousVersion,
  };
}
