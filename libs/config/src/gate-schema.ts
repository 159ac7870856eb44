/**
 * Gates in plan files: a PromQL template, a condition (threshold or baseline comparison) and
 * how often / how strictly it is evaluated. Output is the domain's `GateSpec`.
 */
import { z } from 'zod';
import { validateTemplate } from '#domain';
import type { GateCondition, GateSpec } from '#domain';
import { duration, expected, nonEmptyString, positiveInt, strict } from './schema-kit.js';

export const GATE_VARIABLES = ['region', 'service', 'namespace', 'version', 'previousVersion', 'window'] as const;
const GATE_NAME = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/;
const CONDITION = /^\s*(<=|>=|<|>)\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*$/i;
const CONDITION_HINT = 'must be a comparison like "< 0.01" (one of <, <=, >, >= and a number)';

export const GATE_DEFAULTS = {
  intervalMs: 30_000,
  windowMs: 60_000,
  failureLimit: 1,
  errorLimit: 3,
  queryTimeoutMs: 10_000,
} as const;

/**
 * Problems with `{{…}}` variables in a query template (unknown names, malformed placeholders
 * such as `{{region}` or `{{ re gion }}`): the same checks `renderQuery` applies at run time,
 * so a template accepted here always renders.
 */
export function templateProblems(template: string): string[] {
  return validateTemplate(template);
}

function template() {
  return nonEmptyString().superRefine((text, check) => {
    for (const message of templateProblems(text)) check.addIssue({ code: 'custom', input: text, message });
  });
}

const positiveNumber = (hint: string) => z.number(expected(hint)).refine((n) => Number.isFinite(n) && n > 0, expected(hint));

const gateShape = {
  name: z
    .string(expected('must be a string'))
    .regex(GATE_NAME, expected('must be a lowercase name of letters, digits, "-" and "_", e.g. "error-rate"')),
  query: template(),
  condition: z.string(expected(CONDITION_HINT)).regex(CONDITION, expected(CONDITION_HINT)).optional(),
  baseline: strict({
    maxRatio: positiveNumber('must be a positive number like 1.5').optional(),
    maxDifference: z.number(expected('must be a number')).refine(Number.isFinite, expected('must be a number')).optional(),
  }).optional(),
  interval: duration({ positive: true }).optional(),
  window: duration({ positive: true }).optional(),
  failureLimit: positiveInt().optional(),
  errorLimit: positiveInt().optional(),
  timeout: duration({ positive: true }).optional(),
  inconclusive: z.enum(['pause', 'pass', 'fail']).optional(),
  series: z.enum(['all', 'max', 'min', 'sum', 'avg']).optional(),
  minEvidence: strict({
    query: template(),
    min: z.number(expected('must be a number')).refine((n) => Number.isFinite(n) && n >= 0, expected('must be a number ≥ 0')),
  }).optional(),
};

/** One gate; `condition` xor `baseline`. */
export function gateSchema() {
  return strict(gateShape).superRefine((gate, check) => {
    if (gate.condition === undefined && gate.baseline === undefined) {
      check.addIssue({
        code: 'custom',
        input: gate,
        path: ['condition'],
        message: 'set condition (like "< 0.01") or baseline ({ maxRatio: 1.5 })',
      });
    }
    if (gate.condition !== undefined && gate.baseline !== undefined) {
      check.addIssue({ code: 'custom', input: gate, path: ['baseline'], message: 'set either condition or baseline, not both' });
    }
    if (gate.baseline !== undefined) {
      if (gate.baseline.maxRatio === undefined && gate.baseline.maxDifference === undefined) {
        check.addIssue({ code: 'custom', input: gate.baseline, path: ['baseline'], message: 'set maxRatio, maxDifference or both' });
      }
      if (!/region\s*=~\s*"\{\{\s*region\s*\}\}"/.test(gate.query)) {
        check.addIssue({
          code: 'custom',
          input: gate.query,
          path: ['query'],
          message: 'a baseline gate must select regions with region=~"{{region}}" so the same query can cover the baseline regions',
        });
      }
    }
  });
}

type GateInput = z.output<ReturnType<typeof gateSchema>>;

export function toGateSpec(gate: GateInput): GateSpec {
  return {
    name: gate.name,
    query: gate.query,
    condition: toCondition(gate),
    intervalMs: gate.interval ?? GATE_DEFAULTS.intervalMs,
    windowMs: gate.window ?? GATE_DEFAULTS.windowMs,
    failureLimit: gate.failureLimit ?? GATE_DEFAULTS.failureLimit,
    errorLimit: gate.errorLimit ?? GATE_DEFAULTS.errorLimit,
    inconclusive: gate.inconclusive ?? 'pause',
    series: gate.series ?? 'all',
    queryTimeoutMs: gate.timeout ?? GATE_DEFAULTS.queryTimeoutMs,
    ...(gate.minEvidence ? { minEvidence: { query: gate.minEvidence.query, min: gate.minEvidence.min } } : {}),
  };
}

function toCondition(gate: GateInput): GateCondition {
  if (gate.baseline) {
    return {
      kind: 'baseline',
      ...(gate.baseline.maxRatio !== undefined ? { maxRatio: gate.baseline.maxRatio } : {}),
      ...(gate.baseline.maxDifference !== undefined ? { maxDifference: gate.baseline.maxDifference } : {}),
    };
  }
  const match = CONDITION.exec(gate.condition ?? '')!;
  return { kind: 'threshold', op: match[1] as '<' | '<=' | '>' | '>=', value: Number(match[2]) };
}

/** A list of gates with unique names. */
export function gateListSchema() {
  return z.array(gateSchema(), expected('must be a list of gates')).superRefine((gates, check) => {
    const seen = new Map<string, number>();
    gates.forEach((gate, i) => {
      const first = seen.get(gate.name);
      if (first !== undefined)
        check.addIssue({
          code: 'custom',
          input: gate.name,
          path: [i, 'name'],
          message: `duplicate gate name "${gate.name}" (also at [${first}])`,
        });
      else seen.set(gate.name, i);
    });
  });
}
