/** The kind (begin, commit, select, update, …) and shape (verb + first table) of a SQL statement, for the benches' statement counts. */

export interface SqlTally {
  /** bumped on every dump, so a reader knows the file is fresh */
  seq: number;
  total: number;
  byKind: Record<string, number>;
  byShape: Record<string, number>;
}

const TX = /^(begin|start transaction|commit|rollback|savepoint|release savepoint|set transaction)/;

export function shapeOf(sql: string): { kind: string; shape: string } {
  const text = sql.replace(/\s+/g, ' ').trim();
  const lower = text.toLowerCase();
  const tx = TX.exec(lower);
  if (tx) {
    const kind = tx[1] === 'start transaction' ? 'begin' : tx[1]!;
    return { kind, shape: kind.toUpperCase() };
  }
  const verb = /^(\w+)/.exec(lower)?.[1] ?? 'other';
  if (verb === 'with') {
    // a CTE: named by the first data-changing statement in it (WITH u AS (UPDATE t …) SELECT … FROM u)
    const dml = /\b(update|insert\s+into|delete\s+from)\s+"?([\w.]+)"?/i.exec(text);
    if (dml) {
      const kind = dml[1]!.split(/\s/)[0]!.toLowerCase();
      return { kind, shape: `WITH … ${kind.toUpperCase()} ${dml[2]}` };
    }
  }
  const table = (re: RegExp) => re.exec(text)?.[1]?.replace(/"/g, '');
  let target: string | undefined;
  if (verb === 'insert') target = table(/\binto\s+("?[\w.]+"?)/i);
  else if (verb === 'update') target = table(/^update\s+("?[\w.]+"?)/i);
  else if (verb === 'delete' || verb === 'select' || verb === 'with') target = table(/\bfrom\s+("?[\w.]+"?)/i);
  const known = ['select', 'insert', 'update', 'delete', 'with'].includes(verb) ? verb : 'other';
  const shape = target ? `${verb.toUpperCase()} ${target}` : text.slice(0, 48);
  return { kind: known, shape };
}

/** b − a, per key (a tally taken before a run, b after). */
export function tallyDelta(a: SqlTally, b: SqlTally): SqlTally {
  const sub = (x: Record<string, number>, y: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(y)
        .map(([k, v]) => [k, v - (x[k] ?? 0)] as const)
        .filter(([, v]) => v > 0),
    );
  return { seq: b.seq, total: b.total - a.total, byKind: sub(a.byKind, b.byKind), byShape: sub(a.byShape, b.byShape) };
}

/** Sum of several tallies. */
export function tallySum(tallies: readonly SqlTally[]): SqlTally {
  const out: SqlTally = { seq: 0, total: 0, byKind: {}, byShape: {} };
  for (const t of tallies) {
    out.total += t.total;
    for (const [k, v] of Object.entries(t.byKind)) out.byKind[k] = (out.byKind[k] ?? 0) + v;
    for (const [k, v] of Object.entries(t.byShape)) out.byShape[k] = (out.byShape[k] ?? 0) + v;
  }
  return out;
}
