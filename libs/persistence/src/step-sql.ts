/**
 * One step of a release as ONE SQL statement (its own transaction): the release's columns,
 * guarded by its row version, every target it touches (`UPDATE … FROM unnest(…)`), its events
 * and gate evaluations (`INSERT … SELECT … FROM unnest(…)`) commit together, or nothing does.
 * Rows travel as one array per column, so the statement's text depends only on which columns
 * are set, not on how many rows: a handful of texts, each prepared once per connection.
 * Also the state a committed step leaves behind, so the stepper need not read back what it wrote.
 */
import type { DataSource, EntityMetadata, EntitySchema, ObjectLiteral } from 'typeorm';
import { ReleaseEntity, TargetEntity, type ReleaseRecord, type TargetRecord } from './entities.js';
import { GateEvaluationEntity, type GateEvaluationInput } from './gate-entities.js';
import type { EventInput } from './release-store.js';
import { eventInsert, Params, quoted, unnestOf, type Column } from './sql-params.js';

export interface StepWrite {
  release?: Partial<ReleaseRecord>;
  targets?: Array<{ id: string; patch: Partial<TargetRecord> }>;
  events?: EventInput[];
  evaluations?: GateEvaluationInput[];
  /** ask for the next step at this time (bumps the tick sequence) in the same commit */
  tickAt?: Date;
}

/** Column facts by entity and property, looked up in TypeORM's metadata once per process. */
const columnCache = new WeakMap<EntityMetadata, Map<string, Column>>();

function columnOf(meta: EntityMetadata, prop: string): Column {
  let columns = columnCache.get(meta);
  if (!columns) columnCache.set(meta, (columns = new Map()));
  let column = columns.get(prop);
  if (!column) {
    const found = meta.findColumnWithPropertyName(prop);
    if (!found) throw new Error(`${meta.tableName} has no column for property ${prop}`);
    const type = String(found.type);
    column = { name: found.databaseName, type, json: type === 'jsonb' || type === 'json' };
    columns.set(prop, column);
  }
  return column;
}

const sqlValue = (c: Column, value: unknown) => (value === undefined ? null : c.json && value !== null ? JSON.stringify(value) : value);

/** The defined properties of a patch, in a stable order (targets with the same set share one UPDATE). */
const definedKeys = (patch: ObjectLiteral) =>
  Object.keys(patch)
    .filter((k) => patch[k] !== undefined && k !== 'updatedAt')
    .sort();

/** Targets patched more than once are merged (the later patch's fields win, as sequential UPDATEs would). */
function mergedTargets(targets: NonNullable<StepWrite['targets']>): Map<string, Partial<TargetRecord>> {
  const byId = new Map<string, Partial<TargetRecord>>();
  for (const t of targets) byId.set(t.id, { ...byId.get(t.id), ...t.patch });
  return byId;
}

/** `unnest(…) AS v(…)` of the given properties of each row (one array parameter per column). */
function rowsOf(meta: EntityMetadata, props: readonly string[], rows: readonly ObjectLiteral[], p: Params, ordinal = false): string {
  const columns = props.map((prop) => columnOf(meta, prop));
  return unnestOf(
    p,
    columns,
    columns.map((c, j) => rows.map((row) => sqlValue(c, row[props[j]!]))),
    ordinal,
  );
}

/** The statement (text and parameters) that writes one step; see `stepWritten` for its answer. */
export function stepStatement(
  dataSource: Pick<DataSource, 'getMetadata'>,
  release: Pick<ReleaseRecord, 'id' | 'rowVersion'>,
  change: StepWrite,
): { sql: string; params: unknown[] } {
  const p = new Params();
  const id = p.add(release.id, 'uuid');
  const rel = dataSource.getMetadata(ReleaseEntity);
  const patch: ObjectLiteral = { ...change.release, rowVersion: release.rowVersion + 1 };
  if (change.tickAt) delete patch['nextTickAt'];
  const sets = definedKeys(patch).map((prop) => {
    const c = columnOf(rel, prop);
    return `${quoted(c.name)} = ${p.add(sqlValue(c, patch[prop]), c.type)}`;
  });
  if (change.tickAt) sets.push(`"tick_seq" = "tick_seq" + 1`, `"next_tick_at" = ${p.add(change.tickAt, 'timestamptz')}`);
  sets.push(`"updated_at" = now()`);
  const guard = p.add(release.rowVersion, 'integer');
  const ctes = [`r AS (UPDATE "releases" SET ${sets.join(', ')} WHERE "id" = ${id} AND "row_version" = ${guard} RETURNING "tick_seq")`];

  const tgt = dataSource.getMetadata(TargetEntity);
  const groups = new Map<string, Array<ObjectLiteral & { id: string }>>();
  for (const [targetId, targetPatch] of mergedTargets(change.targets ?? [])) {
    const keys = definedKeys(targetPatch).join(',');
    if (keys === '') continue;
    groups.set(keys, [...(groups.get(keys) ?? []), { ...targetPatch, id: targetId }]);
  }
  for (const [keys, rows] of groups) {
    const props = keys.split(',');
    const cols = props.map((prop) => quoted(columnOf(tgt, prop).name));
    ctes.push(
      `t${ctes.length} AS (UPDATE "region_targets" AS x SET ${cols.map((c) => `${c} = v.${c}`).join(', ')}, "updated_at" = now()
       FROM ${rowsOf(tgt, ['id', ...props], rows, p)}
       WHERE x."id" = v."id" AND x."release_id" = ${id} AND EXISTS (SELECT 1 FROM r))`,
    );
  }

  const events = change.events ?? [];
  if (events.length > 0) ctes.push(`e AS (${eventInsert(p, events, id, { where: 'EXISTS (SELECT 1 FROM r)' })})`);

  const evaluations = change.evaluations ?? [];
  if (evaluations.length > 0) ctes.push(`g AS (${evaluationInsert(dataSource, GateEvaluationEntity, evaluations, id, p)})`);

  return {
    sql: `WITH ${ctes.join(',\n')}\nSELECT (SELECT count(*) FROM r)::int AS n, (SELECT "tick_seq" FROM r) AS tick_seq`,
    params: p.list,
  };
}

/**
 * What the step statement answered: null when the row-version guard refused it (nothing was
 * written), else the new tick sequence when `tickAt` was given.
 */
export function stepWritten(
  rows: ReadonlyArray<{ n: number; tick_seq: number | null }>,
  change: StepWrite,
): { tickSeq: number | null } | null {
  if (Number(rows[0]!.n) !== 1) return null;
  return { tickSeq: change.tickAt ? Number(rows[0]!.tick_seq) : null };
}

/** INSERT … SELECT of gate evaluations (in the order given), only when the release's UPDATE happened. */
function evaluationInsert(
  dataSource: Pick<DataSource, 'getMetadata'>,
  entity: EntitySchema<ObjectLiteral>,
  rows: readonly GateEvaluationInput[],
  releaseIdSql: string,
  p: Params,
): string {
  const meta = dataSource.getMetadata(entity);
  // a property no row sets keeps the column's default (as an INSERT naming only the given columns would)
  const props = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => rows.some((r) => (r as ObjectLiteral)[k] !== undefined));
  const cols = props.map((prop) => quoted(columnOf(meta, prop).name));
  return `INSERT INTO ${quoted(meta.tableName)} ("release_id", ${cols.join(', ')})
    SELECT ${releaseIdSql}, ${cols.map((c) => `v.${c}`).join(', ')} FROM ${rowsOf(meta, props, rows, p, true)}
    WHERE EXISTS (SELECT 1 FROM r) ORDER BY v."ord"`;
}

/**
 * A jsonb value as Postgres hands it back: plain JSON (no Dates, no undefined) with object
 * keys in jsonb's order (shorter first, then bytewise), so a patched record equals a re-read one.
 */
export function asStoredJson<T>(value: T): T {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v).map((k) => ({ k, bytes: Buffer.from(k) }));
    keys.sort((a, b) => a.bytes.length - b.bytes.length || Buffer.compare(a.bytes, b.bytes));
    return Object.fromEntries(keys.map(({ k }) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  };
  return value === null || value === undefined ? value : (sortKeys(JSON.parse(JSON.stringify(value))) as T);
}

const JSON_RELEASE: ReadonlyArray<keyof ReleaseRecord> = ['plan'];
const JSON_TARGET: ReadonlyArray<keyof TargetRecord> = ['workloads', 'previous', 'gateStatus', 'drain'];

function patched<T extends object>(row: T, patch: Partial<T>, json: ReadonlyArray<keyof T>, now: Date): T {
  const out = { ...row };
  for (const key of Object.keys(patch) as Array<keyof T>) {
    const value = patch[key];
    if (value === undefined) continue;
    out[key] = (json.includes(key) ? asStoredJson(value) : value) as T[keyof T];
  }
  return { ...out, updatedAt: now };
}

/**
 * The release and targets as they stand after `change` committed (what reading them back under
 * the release's lock would return, `updatedAt` aside, which is the application's clock here).
 */
export function afterStep(
  release: ReleaseRecord,
  targets: readonly TargetRecord[],
  change: Pick<StepWrite, 'release' | 'targets'>,
): { release: ReleaseRecord; targets: TargetRecord[] } {
  const now = new Date();
  const byId = mergedTargets(change.targets ?? []);
  return {
    release: { ...patched(release, change.release ?? {}, JSON_RELEASE, now), rowVersion: release.rowVersion + 1 },
    targets: targets.map((t) => {
      const patch = byId.get(t.id);
      return patch && definedKeys(patch).length > 0 ? patched(t, patch, JSON_TARGET, now) : t;
    }),
  };
}
