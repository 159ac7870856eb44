/** Building blocks of the one-statement writes (step-sql.ts, release-create.ts). */
import type { EventInput } from './release-store.js';

/** Positional parameters, each placed with an explicit cast so VALUES rows have their column's type. */
export class Params {
  readonly list: unknown[] = [];
  add(value: unknown, type: string): string {
    this.list.push(value);
    return `$${this.list.length}::${type}`;
  }
}

const EVENT_COLUMNS = ['type', 'actor', 'region', 'from_state', 'to_state', 'reason', 'data'] as const;
const quoted = (name: string) => `"${name}"`;

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
  const tuples = events.map((e, i) => {
    const cells = [e.type, e.actor, e.region ?? null, e.fromState ?? null, e.toState ?? null, e.reason ?? null].map((v) =>
      p.add(v, 'text'),
    );
    return `(${i}, ${cells.join(', ')}, ${p.add(e.data ? JSON.stringify(e.data) : null, 'jsonb')})`;
  });
  const cols = EVENT_COLUMNS.map(quoted).join(', ');
  return `INSERT INTO "release_events" ("release_id", ${cols})
       SELECT ${releaseId}, ${EVENT_COLUMNS.map((c) => `v.${quoted(c)}`).join(', ')}
       FROM ${opts.from ? `${opts.from}, ` : ''}(VALUES ${tuples.join(', ')}) AS v("ord", ${cols})
       ${opts.where ? `WHERE ${opts.where}` : ''} ORDER BY v."ord"`;
}
