/**
 * Creates in one round trip (issue 13): one call of `tideline_create_releases` (migrations
 * 1796500000000, 1796700000000) for one or more creates of distinct services, sent as two JSON
 * texts (the creates, their events). The call takes their services'
 * locks, probes each create and inserts every one that repeats nothing and is older than nothing,
 * with the row and events admitCreate gives for an idle service or a busy one (the call picks by
 * what it found), and commits — all in one statement. It answers only what Postgres chose (ids,
 * `updated_at`, the targets' order): the records are built from what was sent. A create it did
 * not insert comes back with what its probe found; the caller settles it (a repeat, an older
 * number, or the full path).
 */
import type { Db } from './db.js';
import type { ReleaseRecord, TargetRecord } from './entities.js';
import { admitCreate, type CreateProbe, type NewReleaseRow } from './release-create.js';
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

const CALL = 'SELECT * FROM tideline_create_releases($1, $2, $3)';

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

/** A create as the function's `creates` reads it (json_to_recordset: keys are its column names). */
const createJson = (i: NewRelease, v: { idle: NewReleaseRow; busy: NewReleaseRow }) => ({
  service: i.service,
  version: i.version,
  image: i.image,
  number: i.releaseNumber,
  git_sha: i.gitSha,
  requested_by: i.requestedBy,
  key: i.idempotencyKey,
  plan: i.plan,
  idle: variantOf(v.idle),
  busy: variantOf(v.busy),
});

const variantOf = (row: NewReleaseRow) => ({
  state: row.state,
  stateReason: row.stateReason,
  stageIndex: row.stageIndex,
  tickSeq: row.tickSeq,
  nextTickAt: row.nextTickAt,
  rowVersion: row.rowVersion,
  startedAt: row.startedAt,
  endedAt: row.endedAt,
});

const eventJson = (service: string, when: string, e: EventInput) => ({
  service,
  when,
  type: e.type,
  actor: e.actor,
  region: e.region ?? null,
  from_state: e.fromState ?? null,
  to_state: e.toState ?? null,
  reason: e.reason ?? null,
  data: e.data ?? null,
});

interface Row {
  at: Date;
  active: boolean;
  by_key: string | null;
  by_number: string | null;
  newer: string | null;
  id: string | null;
  updated_at: Date;
  /** [id, region] of each target, in the order the API lists them */
  targets: string | Array<[string, string]> | null;
}

export async function createInOneStatement(db: Db, requests: readonly CreateRequest[]): Promise<FastCreate[]> {
  const inputs = requests.map((r) => r.input);
  if (new Set(inputs.map((i) => i.service)).size !== inputs.length) throw new Error('createInOneStatement: one create per service');
  const v = requests.map(variants);
  const locks = [...new Set(inputs.map((i) => `service:${i.service}`))].sort();
  const creates = JSON.stringify(inputs.map((i, k) => createJson(i, v[k]!)));
  const events = JSON.stringify(requests.flatMap((r, k) => v[k]!.events.map((x) => eventJson(r.input.service, x.when, x.e))));
  const rows = await db.statement<Row>(CALL, [locks, creates, events]);
  return rows.map((row, k): FastCreate => {
    if (row.id === null)
      return { kind: 'probed', at: row.at, active: row.active, byKey: row.by_key, byNumber: row.by_number, newer: row.newer };
    // Postgres chose the ids and updated_at; the rest is what this call sent (the variant it picked)
    const variant = row.active ? v[k]!.busy : v[k]!.idle;
    const release: ReleaseRecord = {
      ...variant,
      id: row.id,
      createdAt: row.at,
      updatedAt: row.updated_at,
      pausedAt: null,
      approvedStageIndex: null,
    };
    return { kind: 'created', release, targets: pendingTargets(release, row.targets, row.updated_at) };
  });
}

/** The pending targets just inserted: their ids and regions from Postgres, the rest from the plan they were made of. */
function pendingTargets(release: ReleaseRecord, raw: Row['targets'], updatedAt: Date): TargetRecord[] {
  // node-postgres parses json; PGlite through TypeORM may hand it back as text
  const idsAndRegions = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? [])) as Array<[string, string]>;
  const planned = new Map(
    release.plan.stages.flatMap((s) => s.regions.map((g) => [g.region, { stageIndex: s.index, workloads: g.workloads }])),
  );
  return idsAndRegions.map(([id, region]) => {
    const p = planned.get(region);
    if (!p) throw new Error(`created target ${region} is not in the plan of release ${release.id}`);
    return {
      id,
      releaseId: release.id,
      stageIndex: p.stageIndex,
      region,
      state: 'pending',
      reason: null,
      workloads: p.workloads.map((w) => ({ ...w })),
      previous: null,
      deployStartedAt: null,
      patchedAt: null,
      rolloutCompletedAt: null,
      bakeEndsAt: null,
      verifiedAt: null,
      failedAt: null,
      rollbackStartedAt: null,
      rollbackPatchedAt: null,
      rolledBackAt: null,
      gateStatus: null,
      blockedReason: null,
      drain: null,
      updatedAt,
    };
  });
}
