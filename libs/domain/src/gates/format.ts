/** Human formatting of gate values, labels and conditions. */
import type { GateCondition } from './types.js';

/** "NaN", "+Inf", "-Inf", integers as is, other numbers to 6 significant digits. */
export function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(6)));
}

/** Prometheus style: {code="500", region="eu-west"}. */
export function formatLabels(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
}

/** " in series {…}", or "" for a series without labels (a scalar). */
export function inSeries(labels: Record<string, string>): string {
  return Object.keys(labels).length === 0 ? '' : ` in series ${formatLabels(labels)}`;
}

/** "< 0.01", "≤ 1.5 × baseline (0.051)", "≤ baseline + 0.01 (0.051)", "≤ 1.5 × baseline and ≤ baseline + 0.01 (?)". */
export function thresholdText(condition: GateCondition, baseline: number | null): string {
  if (condition.kind === 'threshold') return `${condition.op} ${formatValue(condition.value)}`;
  const parts: string[] = [];
  if (condition.maxRatio !== undefined) parts.push(`≤ ${formatValue(condition.maxRatio)} × baseline`);
  if (condition.maxDifference !== undefined) parts.push(`≤ baseline + ${formatValue(condition.maxDifference)}`);
  if (parts.length === 0) parts.push('(no maxRatio or maxDifference)');
  return `${parts.join(' and ')} (${baseline === null ? '?' : formatValue(baseline)})`;
}
