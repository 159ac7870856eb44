/** The metric names a PromQL query selects (what a Prometheus must scrape for the query to see anything new). */
import { tokenize, type Token } from './promql-tokens.js';

/** Identifiers that are PromQL words, not metric names. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'atan2',
]);
/** Modifiers whose parenthesised list holds label names. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/**
 * Metric names of the query's selectors, sorted and unique: identifiers outside `{…}` that are
 * neither a function or aggregation (followed by `(`, `by` or `without`), nor a PromQL word, nor in a label list
 * (`by (…)`). A selector given only as `{__name__="…"}` is not named. Empty when the query does
 * not tokenize.
 */
export function selectedMetrics(promql: string): string[] {
  const tokens = tokenize(promql);
  if (!tokens) return [];
  const names = new Set<string>();
  let braces = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t: Token = tokens[i]!;
    if (t.kind === 'punct') {
      if (t.text === '{') braces++;
      else if (t.text === '}') braces = Math.max(0, braces - 1);
      continue;
    }
    if (t.kind !== 'ident' || braces > 0) continue;
    const next = tokens[i + 1];
    if (LABEL_LISTS.has(t.text) && next?.text === '(') {
      // skip the label list
      while (i < tokens.length && tokens[i]!.text !== ')') i++;
      continue;
    }
    // a function or aggregation: `rate(`, `sum(`, `sum by (…) (`
    if (KEYWORDS.has(t.text) || next?.text === '(' || next?.text === 'by' || next?.text === 'without') continue;
    names.add(t.text);
  }
  return [...names].sort();
}
