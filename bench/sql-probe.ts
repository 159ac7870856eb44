/**
 * Statement counter for the engine SQL bench: loaded with `node --import` into a spawned
 * process when TIDELINE_SQL_PROBE_FILE is set, it tallies every `pg.Client#query` by shape
 * and rewrites that file every 100 ms. The bench side reads and diffs the tallies.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export interface SqlProbeTally {
  seq: number;
  total: number;
  byShape: Record<string, number>;
}

/** BEGIN/COMMIT/…, else the verb and first table, else the statement's first words. */
export function statementShape(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  const tx = /^(begin|start transaction|commit|rollback|set|reset)\b/i.exec(text);
  if (tx) return tx[1]!.toLowerCase() === 'start transaction' ? 'BEGIN' : tx[1]!.toUpperCase();
  const m =
    /^(?:with \w+ as \(\s*)?(update|insert into|delete from)\s+"?(\w+)"?/i.exec(text) ?? /^(select)\b.*?\bfrom\s+"?(\w+)"?/i.exec(text);
  return m ? `${m[1]!.toUpperCase()} ${m[2]}` : text.slice(0, 60);
}

const file = process.env.TIDELINE_SQL_PROBE_FILE;
if (file) {
  const tally: SqlProbeTally = { seq: 0, total: 0, byShape: {} };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const sql = typeof q === 'string' ? q : typeof q === 'object' && q !== null && 'text' in q ? String(q.text) : '';
    const shape = statementShape(sql);
    tally.total++;
    tally.byShape[shape] = (tally.byShape[shape] ?? 0) + 1;
    return original.apply(this, args);
  };
  const dump = () => {
    tally.seq++;
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(tally));
    renameSync(`${file}.${process.pid}.tmp`, `${file}.${process.pid}`); // readers never see half a file
  };
  dump();
  setInterval(dump, 100).unref();
}

/** Env that makes a spawned node process count its statements into `dir`. */
export function sqlProbeEnv(dir: string, name: string): Record<string, string> {
  const preload = pathToFileURL(join(import.meta.dirname, 'sql-probe.js')).href;
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim(), TIDELINE_SQL_PROBE_FILE: join(dir, name) };
}

/** The latest tally a process wrote (after waiting for one fresh write). */
export async function readSqlProbe(dir: string, name: string, pid: number): Promise<SqlProbeTally> {
  const path = `${join(dir, name)}.${pid}`;
  const read = () => JSON.parse(readFileSync(path, 'utf8')) as SqlProbeTally;
  const first = read();
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      const now = read();
      if (now.seq > first.seq + 1) return now;
    } catch {
      /* being written */
    }
  }
  throw new Error(`${path} not refreshed`);
}

/** after − before, per shape. */
export function probeDelta(before: SqlProbeTally, after: SqlProbeTally): SqlProbeTally {
  const byShape: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byShape)) if (v - (before.byShape[k] ?? 0) > 0) byShape[k] = v - (before.byShape[k] ?? 0);
  return { seq: after.seq, total: after.total - before.total, byShape };
}
