/**
 * Creates in one round trip (issue 13): one call of `tideline_create_releases` (migration
 * 1796500000000) for one or more creates of distinct services. The call takes their services'
 * locks, probes each create and inserts every one that repeats nothing and is older than nothing,
 * with the row and events admitCreate gives for an idle service or a busy one (the call picks by
 * what it found), and commits — all in one statement. A create it did not insert comes back with
 * what its probe found; the caller settles it (a repeat, an older number, or the full path).
 */
import type { Db } from './db.js';
import type { ReleaseRecord, TargetRecord } from './entities.js';
import { admitCreate, type CreateProbe, type NewReleaseRow } from './release-create.js';
import { eventValues } from './sql-params.js';
import { targetsFromJson } from './release-reads.js';
import type { CreateOptions, EventInput, NewRelease } from './release-store.js';

export interface CreateRequest {
  input: NewRelease;
  actor: string;
  opts: CreateOptions;
}

/** What the probe of a create that was not inserted found (ids of the releases it names). */
export interface Probed {
  kind: 'probed';
  at: Date;
  active: boolean;
  byKey: string | null;
  byNumber: string | null;
  newer: string | null;
}

export type FastCreate = { kind: 'created'; release: ReleaseRecord; targets: TargetRecord[] } | Probed;

const RELEASE_DATES = ['nextTickAt', 'createdAt', 'updatedAt', 'startedAt', 'endedAt', 'pausedAt'] as const;

const CALL = `SELECT * FROM tideline_create_releases(${Array.from({ length: 20 }, (_, i) => `$${i + 1}`).join(', ')})`;

/** The row and events of a create when its service is idle and when it is busy, as admitCreate decides. */
function variants(r: CreateRequest): { idle: NewReleaseRow; busy: NewReleaseRow; events: Array<{ when: string; e: EventInput }> } {
  const probe = (active: boolean): CreateProbe => ({ at: new Date(0), active, byKey: null, byNumber: null, newer: null });
  const idle = admitCreate(probe(false), r.input, r.actor, r.opts.allowOlder === true);
  const busy = admitCreate(probe(true), r.input, r.actor, r.opts.allowOlder === true);
  if (idle.kind !== 'insert' || busy.kind !== 'insert') throw new Error('admitCreate refused a create that repeats nothing');
  return {
    idle: idle.row,
    busy: busy.row,
    events: [...idle.events.map((e) => ({ when: 'idle', e })), ...busy.events.map((e) => ({ when: 'busy', e }))],
  };
}

const variantJson = (row: NewReleaseRow) =>
  JSON.stringify({
    state: row.state,
    stateReason: row.stateReason,
    stageIndex: row.stageIndex,
    tickSeq: row.tickSeq,
    nextTickAt: row.nextTickAt,
    rowVersion: row.rowVersion,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
  });

export async function createInOneStatement(db: Db, requests: readonly CreateRequest[]): Promise<FastCreate[]> {
  const inputs = requests.map((r) => r.input);
  if (new Set(inputs.map((i) => i.service)).size !== inputs.length) throw new Error('createInOneStatement: one create per service');
  const v = requests.map(variants);
  const events = requests.flatMap((r, k) => v[k]!.events.map((x) => ({ service: r.input.service, ...x })));
  const params = [
    [...new Set(inputs.map((i) => `service:${i.service}`))].sort(),
    inputs.map((i) => i.service),
    inputs.map((i) => i.version),
    inputs.map((i) => i.image),
    inputs.map((i) => i.releaseNumber),
    inputs.map((i) => i.gitSha),
    inputs.map((i) => i.requestedBy),
    inputs.map((i) => i.idempotencyKey),
    inputs.map((i) => JSON.stringify(i.plan)),
    v.map((x) => variantJson(x.idle)),
    v.map((x) => variantJson(x.busy)),
    events.map((x) => x.service),
    events.map((x) => x.when),
    ...eventValues(events.map((x) => x.e)),
  ];
  const rows = await db.statement<{
    at: Date;
    active: boolean;
    by_key: string | null;
    by_number: string | null;
    newer: string | null;
    release: Record<string, unknown> | string | null;
    targets: string | Array<Record<string, unknown>> | null;
  }>(CALL, params);
  return rows.map((row, i): FastCreate => {
    if (row.release === null)
      return { kind: 'probed', at: row.at, active: row.active, byKey: row.by_key, byNumber: row.by_number, newer: row.newer };
    // json: node-postgres parses it (PGlite through TypeORM may hand back text); dates come as text
    const release = (typeof row.release === 'string' ? JSON.parse(row.release) : row.release) as Record<string, unknown>;
    for (const k of RELEASE_DATES) if (typeof release[k] === 'string') release[k] = new Date(release[k] as string);
    // the plan as stored is the plan sent (jsonb keeps its content, not its key order)
    release.plan = inputs[i]!.plan;
    return { kind: 'created', release: release as unknown as ReleaseRecord, targets: targetsFromJson(row.targets) };
  });
}
