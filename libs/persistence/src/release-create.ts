/**
 * The statements of a release create as plain SQL (inside the service's transaction, after its
 * lock): one look at what the create depends on, the release's row and its targets' rows, each
 * handing back the records it wrote (RETURNING) so nothing is read again.
 */
import type { EntityManager } from 'typeorm';
import { ACTIVE_RELEASE_STATES, ENGINE_ACTOR, type ReleaseEvent, type ReleaseState } from '#domain';
import { preparedQuery } from './db.js';
import { EVENT_COLUMNS, eventValues, Params, quoted, unnestOf, type Column } from './sql-params.js';
import type { ReleaseRecord, TargetRecord } from './entities.js';
import { LIVE_OR_COMING_STATES, payloadDifferences } from './release-admission.js';
import { readRelease, RELEASE_COLUMNS, TARGET_COLUMNS, targetsFromJson, targetsJson } from './release-reads.js';
import type { CreateOutcome, EventInput, NewRelease } from './release-store.js';

const REGION_COLUMNS: readonly Column[] = [
  { name: 'stage_index', type: 'int', json: false },
  { name: 'region', type: 'text', json: false },
  { name: 'workloads', type: 'jsonb', json: true },
];

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

type ProbeInput = Pick<NewRelease, 'service' | 'releaseNumber' | 'idempotencyKey'>;

const PROBE_COLUMNS: readonly Column[] = [
  { name: 'service', type: 'text', json: false },
  { name: 'release_number', type: 'int', json: false },
  { name: 'idempotency_key', type: 'text', json: false },
];

/**
 * The probes of one or more creates (each under its service's lock, in one transaction), in
 * one statement, in the order given. The statement's text is the same for any number of creates.
 */
export async function probeCreates(m: EntityManager, inputs: readonly ProbeInput[]): Promise<CreateProbe[]> {
  const p = new Params();
  const v = unnestOf(
    p,
    PROBE_COLUMNS,
    [inputs.map((i) => i.service), inputs.map((i) => i.releaseNumber), inputs.map((i) => i.idempotencyKey)],
    true,
  );
  const rows = (await preparedQuery(
    m,
    `SELECT clock_timestamp() AS at,
       EXISTS (SELECT 1 FROM releases WHERE service = v.service AND state IN ${list(ACTIVE_RELEASE_STATES)}) AS active,
       (SELECT id FROM releases WHERE idempotency_key = v.idempotency_key) AS "byKey",
       (SELECT id FROM releases WHERE service = v.service AND release_number = v.release_number) AS "byNumber",
       (SELECT id FROM releases WHERE service = v.service AND release_number > v.release_number
          AND state IN ${list(LIVE_OR_COMING_STATES)} ORDER BY release_number DESC LIMIT 1) AS newer
     FROM ${v} ORDER BY v.ord`,
    p.list,
  )) as Array<{ at: Date; active: boolean; byKey: string | null; byNumber: string | null; newer: string | null }>;
  // The rare paths (a repeat, an older number) read the whole release they name.
  const load = (id: string | null) => (id === null ? null : readRelease(m, id));
  const probes: CreateProbe[] = [];
  for (const row of rows)
    probes.push({
      at: row.at,
      active: row.active,
      byKey: await load(row.byKey),
      byNumber: await load(row.byNumber),
      newer: await load(row.newer),
    });
  return probes;
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

const RELEASE_INSERT_COLUMNS: readonly Column[] = [
  ...['service', 'version', 'image'].map((name) => ({ name, type: 'text', json: false })),
  { name: 'release_number', type: 'int', json: false },
  ...['git_sha', 'requested_by', 'idempotency_key'].map((name) => ({ name, type: 'text', json: false })),
  { name: 'plan', type: 'jsonb', json: true },
  { name: 'created_at', type: 'timestamptz', json: false },
  ...['state', 'state_reason'].map((name) => ({ name, type: 'text', json: false })),
  ...['stage_index', 'tick_seq'].map((name) => ({ name, type: 'int', json: false })),
  { name: 'next_tick_at', type: 'timestamptz', json: false },
  { name: 'row_version', type: 'int', json: false },
  ...['started_at', 'ended_at'].map((name) => ({ name, type: 'timestamptz', json: false })),
];

/** What a create request carries, one array per column: service, version, image, number, git sha, requested by, key, plan. */
export const requestValues = (rows: readonly NewRelease[]): unknown[][] => [
  rows.map((r) => r.service),
  rows.map((r) => r.version),
  rows.map((r) => r.image),
  rows.map((r) => r.releaseNumber),
  rows.map((r) => r.gitSha),
  rows.map((r) => r.requestedBy),
  rows.map((r) => r.idempotencyKey),
  rows.map((r) => JSON.stringify(r.plan)),
];

const releaseValues = (rows: readonly NewReleaseRow[]): unknown[][] => [
  ...requestValues(rows),
  rows.map((r) => r.createdAt),
  rows.map((r) => r.state),
  rows.map((r) => r.stateReason),
  rows.map((r) => r.stageIndex),
  rows.map((r) => r.tickSeq),
  rows.map((r) => r.nextTickAt),
  rows.map((r) => r.rowVersion),
  rows.map((r) => r.startedAt),
  rows.map((r) => r.endedAt),
];

const SERVICE: Column = { name: 'service', type: 'text', json: false };

/**
 * One statement for one or more created releases (of distinct services, each under its lock):
 * their rows (id, updated_at and the rest from their defaults), a pending target per region of
 * each plan, and their events in the order given. Returns each release and its targets as
 * stored, in the order given, targets in the order the API shows them. The text is the same for
 * any number of releases, regions and events (one prepared statement).
 */
export async function insertCreated(
  m: EntityManager,
  creates: ReadonlyArray<{ row: NewReleaseRow; events: readonly EventInput[] }>,
): Promise<Array<{ release: ReleaseRecord; targets: TargetRecord[] }>> {
  const rows = creates.map((c) => c.row);
  if (new Set(rows.map((r) => r.service)).size !== rows.length) throw new Error('insertCreated: one release per service');
  const p = new Params();
  const columns = RELEASE_INSERT_COLUMNS.map((c) => quoted(c.name)).join(', ');
  const releases = unnestOf(p, RELEASE_INSERT_COLUMNS, releaseValues(rows), true);
  const regions = rows.flatMap((r) =>
    r.plan.stages.flatMap((stage) =>
      stage.regions.map((g) => ({ service: r.service, stage: stage.index, region: g.region, workloads: g.workloads })),
    ),
  );
  const targets = unnestOf(
    p,
    [SERVICE, ...REGION_COLUMNS],
    [
      regions.map((g) => g.service),
      regions.map((g) => g.stage),
      regions.map((g) => g.region),
      regions.map((g) => JSON.stringify(g.workloads)),
    ],
  );
  const events = creates.flatMap((c) => c.events.map((e) => ({ service: c.row.service, e })));
  const eventColumns = EVENT_COLUMNS.map((c) => quoted(c.name));
  const eventRows = unnestOf(p, [SERVICE, ...EVENT_COLUMNS], [events.map((x) => x.service), ...eventValues(events.map((x) => x.e))], true);
  // prepared: its text is the same for any number of releases, regions and events
  const sql = `WITH r AS (INSERT INTO releases (${columns})
       SELECT ${RELEASE_INSERT_COLUMNS.map((c) => `v.${quoted(c.name)}`).join(', ')} FROM ${releases} ORDER BY v.ord
       RETURNING ${RELEASE_COLUMNS}),
     t AS (INSERT INTO region_targets (release_id, stage_index, region, state, workloads)
       SELECT r.id, v.stage_index, v.region, 'pending', v.workloads FROM r JOIN ${targets} ON v.service = r.service
       RETURNING ${TARGET_COLUMNS}),
     e AS (INSERT INTO release_events (release_id, ${eventColumns.join(', ')})
       SELECT r.id, ${eventColumns.map((c) => `v.${c}`).join(', ')} FROM r JOIN ${eventRows} ON v.service = r.service ORDER BY v.ord)
     SELECT r.*, (SELECT ${targetsJson('x')} FROM t x WHERE x."releaseId" = r.id) AS targets FROM r`;
  const stored = (await preparedQuery(m, sql, p.list)) as Array<
    ReleaseRecord & { targets: string | Array<Record<string, unknown>> | null }
  >;
  const byService = new Map(stored.map(({ targets: raw, ...release }) => [release.service, { release, targets: targetsFromJson(raw) }]));
  return rows.map((r) => byService.get(r.service)!);
}
