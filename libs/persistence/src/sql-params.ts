/** Building blocks of the one-statement writes (step-sql.ts, release-create.ts, release-rows.ts). */
import type { EventInput } from './release-store.js';

/** Positional parameters, each placed with an explicit cast so every row has its column's type. */
export class Params {
  readonly list: unknown[] = [];
  add(value: unknown, type: string): string {
    this.list.push(value);
    return `$${this.list.length}::${type}`;
  }
}

/** A column as a statement builder needs it: its name, its SQL type, whether values go as JSON text. */
export interface Column {
  name: string;
  type: string;
  json: boolean;
}

/** A double-quoted SQL identifier (names here are the entities' own, never user input). */
export const quoted = (name: string) => `"${name}"`;

/**
 * `unnest($a::t1[], $b::t2[], …) AS v(c1, c2, …)`: rows as one array parameter per column, so
 * the text is the same for 1 row or 50 (one prepared statement). With `ordinal`, a last column
 * `ord` numbers the rows from 1 in the order given. Array-typed columns are refused (unnest
 * would flatten them).
 *
 * Each array is a scalar sub-select `(SELECT $n::t[])`, which the planner estimates the same way
 * (10 rows) whether or not it knows the parameter's value: a custom plan then never looks cheaper
 * than the generic one, so a prepared statement switches to its generic plan after five runs and
 * is not planned again (with a bare `$n`, a custom plan sees the array's real, smaller length
 * and wins every time: ~0.3 ms of planning per step statement).
 */
export function unnestOf(p: Params, columns: readonly Column[], values: readonly unknown[][], ordinal = false): string {
  const arrays = columns.map((c, j) => {
    if (c.type.endsWith('[]') || c.type.includes('array')) throw new Error(`column ${c.name} (${c.type}) cannot travel in unnest`);
    return `(SELECT ${p.add(values[j], `${c.type}[]`)})`;
  });
  const names = [...columns.map((c) => quoted(c.name)), ...(ordinal ? ['"ord"'] : [])];
  return `unnest(${arrays.join(', ')})${ordinal ? ' WITH ORDINALITY' : ''} AS v(${names.join(', ')})`;
}

const EVENT_COLUMNS: readonly Column[] = [
  ...['type', 'actor', 'region', 'from_state', 'to_state', 'reason'].map((name) => ({ name, type: 'text', json: false })),
  { name: 'data', type: 'jsonb', json: true },
];

/**
 * `INSERT INTO release_events … SELECT` of `events` (at least one), inserted in the order given,
 * for the release whose id is the SQL expression `releaseId`; `from` joins the CTE that
 * yields it (e.g. `r`) and `where` guards the insert (e.g. only when the release's UPDATE happened).
 */
export function eventInsert(
  p: Params,
  events: readonly EventInput[],
  releaseId: string,
  opts: { from?: string; where?: string } = {},
): string {
  const values = eventValues(events);
  const cols = EVENT_COLUMNS.map((c) => quoted(c.name));
  return `INSERT INTO "release_events" ("release_id", ${cols.join(', ')})
       SELECT ${releaseId}, ${cols.map((c) => `v.${c}`).join(', ')}
       FROM ${opts.from ? `${opts.from}, ` : ''}${unnestOf(p, EVENT_COLUMNS, values, true)}
       ${opts.where ? `WHERE ${opts.where}` : ''} ORDER BY v."ord"`;
}

/** The EVENT_COLUMNS arrays of `events` (one array per column, in the order given). */
export function eventValues(events: readonly EventInput[]): unknown[][] {
  return [
    events.map((e) => e.type),
    events.map((e) => e.actor),
    events.map((e) => e.region ?? null),
    events.map((e) => e.fromState ?? null),
    events.map((e) => e.toState ?? null),
    events.map((e) => e.reason ?? null),
    events.map((e) => (e.data ? JSON.stringify(e.data) : null)),
  ];
}
