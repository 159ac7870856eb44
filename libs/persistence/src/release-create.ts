/**
 * The statements of a release create as plain SQL (inside the service's transaction, after its
 * lock): one look at what the create depends on, the release's row and its targets' rows, each
 * handing back the records it wrote (RETURNING) so nothing is read again.
 */
import type { EntityManager } from 'typeorm';
import { ACTIVE_RELEASE_STATES, ENGINE_ACTOR, type ReleaseEvent, type ReleaseState } from '#domain';
import { preparedQuery } from './db.js';
import { eventInsert, Params } from './sql-params.js';
import type { ReleaseRecord, TargetRecord } from './entities.js';
import { LIVE_OR_COMING_STATES, payloadDifferences } from './release-admission.js';
import { readRelease, RELEASE_COLUMNS, TARGET_COLUMNS, targetsFromJson, targetsJson } from './release-reads.js';
import { insertPlannedTargets, plannedTargetsJson, releaseRecord } from './planned-targets.js';
import type { CreateOutcome, EventInput, NewRelease } from './release-store.js';

const list = (states: readonly string[]) => `(${states.map((s) => `'${s}'`).join(',')})`;

/** What a create of (service, releaseNumber, idempotencyKey) depends on, read in one statement. */
export interface CreateProbe {
  /** clock_timestamp() once the service's lock is held: the release's place in the queue */
  at: Date;
  /** the service has an active release (the new one is queued behind it) */
  active: boolean;
  byKey: ReleaseRecord | null;
  byNumber: ReleaseRecord | null;
  /** the newest release of the service with a higher number that went, or will go, live */
  newer: ReleaseRecord | null;
}

export async function probeCreate(
  m: EntityManager,
  input: { service: string; releaseNumber: number; idempotencyKey: string | null },
): Promise<CreateProbe> {
  const [row] = (await preparedQuery(
    m,
    `SELECT clock_timestamp() AS at,
       EXISTS (SELECT 1 FROM releases WHERE service = $1 AND state IN ${list(ACTIVE_RELEASE_STATES)}) AS active,
       (SELECT id FROM releases WHERE idempotency_key = $3) AS "byKey",
       (SELECT id FROM releases WHERE service = $1 AND release_number = $2) AS "byNumber",
       (SELECT id FROM releases WHERE service = $1 AND release_number > $2 AND state IN ${list(LIVE_OR_COMING_STATES)}
        ORDER BY release_number DESC LIMIT 1) AS newer`,
    [input.service, input.releaseNumber, input.idempotencyKey],
  )) as [{ at: Date; active: boolean; byKey: string | null; byNumber: string | null; newer: string | null }];
  // The rare paths (a repeat, an older number) read the whole release they name.
  const load = (id: string | null) => (id === null ? null : readRelease(m, id));
  return { at: row.at, active: row.active, byKey: await load(row.byKey), byNumber: await load(row.byNumber), newer: await load(row.newer) };
}

/** What a create does once its probe is read: answer without writing, or insert this row and these events. */
export type Admission =
  Exclude<CreateOutcome, { kind: 'created' }> | { kind: 'insert'; row: NewReleaseRow; events: EventInput[]; newer: ReleaseRecord | null };

/**
 * A repeat of an existing release (by idempotency key, then by number) is returned, or refused
 * when its payload differs; a number older than a release that went or will go live is refused
 * unless `allowOlder`; otherwise the release goes in running, or queued behind the active one.
 */
export function admitCreate(probe: CreateProbe, input: NewRelease, actor: string, allowOlder: boolean): Admission {
  const existing = probe.byKey
    ? { release: probe.byKey, by: 'idempotencyKey' as const }
    : probe.byNumber
      ? { release: probe.byNumber, by: 'releaseNumber' as const }
      : null;
  if (existing) {
    const differences = payloadDifferences(existing.release, input);
    return differences.length > 0
      ? { kind: 'changed', release: existing.release, by: existing.by, differences }
      : { kind: 'existing', release: existing.release };
  }
  const newer = probe.newer;
  if (newer && !allowOlder) return { kind: 'older', newer };
  const state: ReleaseState = probe.active ? 'queued' : 'running';
  const now = new Date();
  const older = newer
    ? { allowOlder: true as const, newerRelease: { id: newer.id, releaseNumber: newer.releaseNumber, state: newer.state } }
    : {};
  const events: ReleaseEvent[] = [
    {
      type: 'release.created',
      actor,
      toState: state,
      reason: newer ? `deliberately older than release #${newer.releaseNumber} (${newer.id}, ${newer.state}): allowOlder` : null,
      data: { version: input.version, image: input.image, releaseNumber: input.releaseNumber, ...older },
    },
    ...(state === 'running' ? [{ type: 'stage.started' as const, actor: ENGINE_ACTOR, data: { stage: input.plan.stages[0]!.name } }] : []),
  ];
  const row: NewReleaseRow = {
    ...input,
    createdAt: probe.at,
    state,
    stateReason: state === 'queued' ? 'another release of this service is active' : null,
    stageIndex: 0,
    tickSeq: state === 'running' ? 1 : 0,
    nextTickAt: state === 'running' ? now : null,
    rowVersion: 1,
    startedAt: state === 'running' ? now : null,
    endedAt: null,
  };
  return { kind: 'insert', row, events, newer };
}

export type NewReleaseRow = Pick<
  ReleaseRecord,
  | 'service'
  | 'version'
  | 'image'
  | 'releaseNumber'
  | 'gitSha'
  | 'requestedBy'
  | 'idempotencyKey'
  | 'plan'
  | 'createdAt'
  | 'state'
  | 'stateReason'
  | 'stageIndex'
  | 'tickSeq'
  | 'nextTickAt'
  | 'rowVersion'
  | 'startedAt'
  | 'endedAt'
>;

/**
 * One statement for a created release: its row (id, updated_at and the rest from their
 * defaults), a pending target per region of the plan, and its events in the order given.
 * Returns the release and its targets as stored, targets in the order the API shows them.
 */
export async function insertCreated(
  m: EntityManager,
  r: NewReleaseRow,
  events: readonly EventInput[],
): Promise<{ release: ReleaseRecord; targets: TargetRecord[] }> {
  const p = new Params();
  const release = [
    p.add(r.service, 'text'),
    p.add(r.version, 'text'),
    p.add(r.image, 'text'),
    p.add(r.releaseNumber, 'int'),
    p.add(r.gitSha, 'text'),
    p.add(r.requestedBy, 'text'),
    p.add(r.idempotencyKey, 'text'),
    p.add(JSON.stringify(r.plan), 'jsonb'),
    p.add(r.createdAt, 'timestamptz'),
    p.add(r.state, 'text'),
    p.add(r.stateReason, 'text'),
    p.add(r.stageIndex, 'int'),
    p.add(r.tickSeq, 'int'),
    p.add(r.nextTickAt, 'timestamptz'),
    p.add(r.rowVersion, 'int'),
    p.add(r.startedAt, 'timestamptz'),
    p.add(r.endedAt, 'timestamptz'),
  ];
  // Targets are rows once the release runs (planned-targets.ts): a queued one answers its plan's.
  const running = r.state !== 'queued';
  const ctes = [
    `r AS (INSERT INTO releases (service, version, image, release_number, git_sha, requested_by, idempotency_key, plan, created_at,
       state, state_reason, stage_index, tick_seq, next_tick_at, row_version, started_at, ended_at)
     VALUES (${release.join(', ')}) RETURNING ${RELEASE_COLUMNS})`,
  ];
  if (running) ctes.push(`t AS (${insertPlannedTargets(releaseRecord('r'), 'r')} RETURNING ${TARGET_COLUMNS})`);
  if (events.length > 0) ctes.push(`e AS (${eventInsert(p, events, 'r.id', { from: 'r' })})`);
  const targets = running ? `(SELECT ${targetsJson('t')} FROM t)` : plannedTargetsJson(releaseRecord('r'));
  // prepared: its text is the same for any number of regions and events
  const rows = (await preparedQuery(m, `WITH ${ctes.join(',\n')}\nSELECT r.*, ${targets} AS targets FROM r`, p.list)) as Array<
    ReleaseRecord & { targets: string | Array<Record<string, unknown>> | null }
  >;
  const { targets: raw, ...stored } = rows[0]!;
  return { release: stored, targets: targetsFromJson(raw) };
}
