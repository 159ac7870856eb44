/**
 * One Prometheus query for a gate in many regions. A gate query qualifies for batching only when
 * rewriting it cannot change what any one region's answer would have been:
 *
 * 1. every vector selector names the region in exactly one matcher, `L="{{region}}"` or
 *    `L=~"{{region}}"` (the same label L everywhere), and `{{region}}` appears nowhere else;
 * 2. either no aggregation at all (every series keeps L), or every selector lies inside an
 *    aggregation and every aggregation is one of sum, min, max, avg, count, group, stddev,
 *    stdvar, quantile with no `without` and no `by` naming L (Tideline adds L to each);
 * 3. no vector matching modifiers (on, ignoring, group_left, group_right), no functions that
 *    invent or overwrite labels or collapse a vector (vector, scalar, absent, absent_over_time,
 *    label_replace, label_join, info, date functions without an argument), no topk, bottomk,
 *    limitk, limit_ratio or count_values;
 * 4. every region name is a plain name ([A-Za-z0-9_-]), so `L=~"a|b|c"` selects exactly them.
 *
 * The batched query selects `L=~"a|b|c"` and groups every aggregation `by (…, L)`. Within one
 * region L is constant, so grouping by it splits nothing and vector matching pairs the same
 * series; across regions L differs, so nothing mixes. When Tideline added L to aggregations it
 * removes L again from each region's series (splitByRegion), so a region's series are exactly
 * what its own query would have returned. Anything else is queried region by region.
 */
import { stringValue, tokenize, type Token } from './promql-tokens.js';

/** Rendered in place of `{{region}}` to find where the template uses the region. */
export const REGION_SENTINEL = 'tideline_region_5f0c2e';

export type RegionBatchPlan =
  | {
      ok: true;
      /** the label that carries the region */
      label: string;
      /** true when the batched query groups by `label` only because Tideline added it */
      stripLabel: boolean;
      /** the batched query for these regions */
      build(regions: readonly string[]): string;
    }
  | { ok: false; reason: string };

const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'count', 'group', 'stddev', 'stdvar', 'quantile']);
const REFUSED_AGGREGATIONS = new Set(['topk', 'bottomk', 'limitk', 'limit_ratio', 'count_values']);
const REFUSED_FUNCTIONS = new Set(['vector', 'scalar', 'absent', 'absent_over_time', 'label_replace', 'label_join', 'info']);
const DATE_FUNCTIONS = new Set(['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year']);
const MATCHING = new Set(['on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['bool', 'offset', 'and', 'or', 'unless', 'atan2', 'inf', 'nan']);
const PLAIN_REGION = /^[A-Za-z0-9_-]+$/;

interface Aggregation {
  /** where ` by (L)` goes when the aggregation has no clause */
  nameEnd: number;
  /** the `)` closing its `by (…)` list, and whether the list is empty */
  byClose: { at: number; empty: boolean } | null;
  byLabels: string[];
}

interface Edit {
  start: number;
  end: number;
  text: (regions: readonly string[]) => string;
}

const no = (reason: string): RegionBatchPlan => ({ ok: false, reason });

/** Can a label-list clause `( a, b )` be read at tokens[i]? Returns its labels and closing index. */
function labelList(tokens: readonly Token[], i: number): { labels: string[]; close: number } | null {
  if (tokens[i]?.text !== '(') return null;
  const labels: string[] = [];
  let j = i + 1;
  for (;;) {
    const t = tokens[j];
    if (!t) return null;
    if (t.text === ')') return { labels, close: j };
    if (t.kind !== 'ident') return null;
    labels.push(t.text);
    j++;
    if (tokens[j]?.text === ',') j++;
  }
}

/** `renderedWithSentinel`: the gate's query rendered with REGION_SENTINEL as `{{region}}`. */
export function planRegionBatch(renderedWithSentinel: string): RegionBatchPlan {
  const text = renderedWithSentinel;
  const tokens = tokenize(text);
  if (!tokens) return no('the query has syntax this check does not read');
  const edits: Edit[] = [];
  const aggregations: Aggregation[] = [];
  const frames: Array<{ agg: Aggregation | null }> = [];
  let regionLabel: string | null = null;
  let regionMatchers = 0;
  let selectors = 0;
  let selectorsOutsideAggregation = 0;
  let lastClosed: Aggregation | null = null;

  const byClause = (agg: Aggregation, i: number): number | string => {
    const kw = tokens[i]!.text;
    const list = labelList(tokens, i + 1);
    if (!list) return `a malformed ${kw} clause`;
    if (kw === 'without') return 'an aggregation uses without (…)';
    agg.byClose = { at: tokens[list.close]!.start, empty: list.labels.length === 0 };
    agg.byLabels = list.labels;
    return list.close + 1;
  };

  const selector = (i: number): number | string => {
    // tokens[i] is `{`
    selectors++;
    if (!frames.some((f) => f.agg)) selectorsOutsideAggregation++;
    let found = 0;
    let j = i + 1;
    for (;;) {
      const t = tokens[j];
      if (!t) return 'an unclosed selector';
      if (t.text === '}') break;
      const op = tokens[j + 1];
      const value = tokens[j + 2];
      if (t.kind !== 'ident' || !op || !value || value.kind !== 'string') return 'a label matcher this check does not read';
      if (!['=', '!=', '=~', '!~'].includes(op.text)) return `a label matcher with ${op.text}`;
      const v = stringValue(value);
      if (v.includes(REGION_SENTINEL)) {
        if (v !== REGION_SENTINEL || (op.text !== '=' && op.text !== '=~'))
          return '{{region}} is used in a matcher other than L="{{region}}"';
        if (regionLabel !== null && regionLabel !== t.text) return `the region is matched on two labels (${regionLabel}, ${t.text})`;
        regionLabel = t.text;
        found++;
        edits.push({ start: op.start, end: op.end, text: () => '=~' });
        edits.push({ start: value.start, end: value.end, text: (regions) => `"${regions.join('|')}"` });
      }
      j += 3;
      if (tokens[j]?.text === ',') j++;
    }
    if (found !== 1) return found === 0 ? 'a selector does not select the region' : 'a selector matches the region twice';
    regionMatchers++;
    return j + 1;
  };

  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const closedBefore = lastClosed;
    lastClosed = null;
    if (t.kind === 'ident') {
      const name = t.text;
      if (MATCHING.has(name)) return no(`the query uses ${name}(…) vector matching`);
      if ((name === 'by' || name === 'without') && closedBefore) {
        const r = byClause(closedBefore, i);
        if (typeof r === 'string') return no(r);
        i = r;
        continue;
      }
      if (REFUSED_AGGREGATIONS.has(name) && (next?.text === '(' || next?.text === 'by' || next?.text === 'without'))
        return no(`the query uses ${name}`);
      if (AGGREGATIONS.has(name) && (next?.text === '(' || next?.text === 'by' || next?.text === 'without')) {
        const agg: Aggregation = { nameEnd: t.end, byClose: null, byLabels: [] };
        aggregations.push(agg);
        let j = i + 1;
        if (next.text !== '(') {
          const r = byClause(agg, j);
          if (typeof r === 'string') return no(r);
          j = r;
        }
        if (tokens[j]?.text !== '(') return no(`a malformed ${name}(…)`);
        frames.push({ agg });
        i = j + 1;
        continue;
      }
      if (next?.text === '(') {
        if (REFUSED_FUNCTIONS.has(name)) return no(`the query uses ${name}(…)`);
        if (DATE_FUNCTIONS.has(name) && tokens[i + 2]?.text === ')') return no(`the query uses ${name}() without an argument`);
        frames.push({ agg: null });
        i += 2;
        continue;
      }
      if (KEYWORDS.has(name.toLowerCase()) || name === 'start' || name === 'end') {
        i++;
        continue;
      }
      // a metric name: its selector must name the region
      if (next?.text !== '{') return no(`the selector ${name} does not select the region`);
      const r = selector(i + 1);
      if (typeof r === 'string') return no(r);
      i = r;
      continue;
    }
    if (t.text === '{') {
      const r = selector(i);
      if (typeof r === 'string') return no(r);
      i = r;
      continue;
    }
    if (t.text === '(') frames.push({ agg: null });
    if (t.text === ')') {
      const frame = frames.pop();
      if (!frame) return no('unbalanced parentheses');
      lastClosed = frame.agg;
    }
    if (t.text === '[') {
      while (i < tokens.length && tokens[i]!.text !== ']') i++;
    }
    i++;
  }

  if (frames.length > 0) return no('unbalanced parentheses');
  if (regionLabel === null || regionMatchers === 0) return no('the query does not select the region');
  if (selectors !== regionMatchers) return no('a selector does not select the region');
  if (text.split(REGION_SENTINEL).length - 1 !== regionMatchers) return no('{{region}} is used outside a label matcher');
  if (aggregations.length > 0 && selectorsOutsideAggregation > 0) return no('a selector lies outside every aggregation');
  const label: string = regionLabel;
  if (aggregations.some((a) => a.byLabels.includes(label))) return no(`an aggregation already groups by ${label}`);
  for (const agg of aggregations) {
    if (agg.byClose) {
      const at = agg.byClose.at;
      const empty = agg.byClose.empty;
      edits.push({ start: at, end: at, text: () => (empty ? label : `, ${label}`) });
    } else edits.push({ start: agg.nameEnd, end: agg.nameEnd, text: () => ` by (${label})` });
  }
  edits.sort((a, b) => a.start - b.start);
  return {
    ok: true,
    label,
    stripLabel: aggregations.length > 0,
    build(regions) {
      if (regions.length === 0 || !regions.every((r) => PLAIN_REGION.test(r))) throw new RangeError('regions must be plain names');
      let out = '';
      let at = 0;
      for (const e of edits) {
        out += text.slice(at, e.start) + e.text(regions);
        at = e.end;
      }
      return out + text.slice(at);
    },
  };
}

/** Can this region name be placed in `L=~"a|b"` as itself? */
export function isPlainRegion(name: string): boolean {
  return PLAIN_REGION.test(name);
}
