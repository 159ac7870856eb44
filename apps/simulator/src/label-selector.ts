/** Kubernetes label selector strings (`a=b,c!=d,e,!f,g in (x,y),h notin (z)`). */

export type Matcher = (labels: Record<string, string>) => boolean;

export class SelectorError extends Error {}

function parseTerm(term: string): Matcher {
  const set = /^([A-Za-z0-9._/-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set) {
    const [, k = '', op, values = ''] = set;
    const allowed = new Set(
      values
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    );
    return op === 'in' ? (l) => l[k] !== undefined && allowed.has(l[k]) : (l) => l[k] === undefined || !allowed.has(l[k]);
  }
  const eq = /^([A-Za-z0-9._/-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(term);
  if (eq) {
    const [, k = '', op, v = ''] = eq;
    return op === '!=' ? (l) => l[k] !== v : (l) => l[k] === v;
  }
  const notExists = /^!\s*([A-Za-z0-9._/-]+)$/.exec(term);
  if (notExists) {
    const k = notExists[1] ?? '';
    return (l) => l[k] === undefined;
  }
  const exists = /^([A-Za-z0-9._/-]+)$/.exec(term);
  if (exists) {
    const k = exists[1] ?? '';
    return (l) => l[k] !== undefined;
  }
  throw new SelectorError(`unable to parse requirement: "${term}"`);
}

/** Splits on commas that are not inside `( )`. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseLabelSelector(selector: string | null): Matcher {
  if (!selector) return () => true;
  const matchers = splitTerms(selector).map(parseTerm);
  return (labels) => matchers.every((m) => m(labels));
}

/** Field selectors on `metadata.name` / `metadata.namespace` (`=`, `==`, `!=`). */
export function parseFieldSelector(selector: string | null): (fields: Record<string, string>) => boolean {
  if (!selector) return () => true;
  const matchers = splitTerms(selector).map((term) => {
    const m = /^(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`field label not supported: "${term}"`);
    const [, k = '', op, v = ''] = m;
    return op === '!=' ? (f: Record<string, string>) => f[k] !== v : (f: Record<string, string>) => f[k] === v;
  });
  return (fields) => matchers.every((m) => m(fields));
}
