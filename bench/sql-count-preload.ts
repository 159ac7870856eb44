/**
 * Counts the SQL statements a process sends (loaded with `node --import` by the benchmarks only,
 * when TIDELINE_BENCH_SQL_DIR is set): every `pg.Client#query` is tallied by kind (begin, commit,
 * select, update, …) and by shape (verb + first table). On SIGUSR2 the tallies are written to
 * `$TIDELINE_BENCH_SQL_DIR/<pid>.json` (see sql-count.ts, which reads them).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { shapeOf, type SqlTally } from './sql-shape.js';

const dir = process.env.TIDELINE_BENCH_SQL_DIR;
if (dir) {
  const tally: SqlTally = { seq: 0, total: 0, byKind: {}, byShape: {} };
  // shapes by statement text: the regexes once per text, not per call (this runs inside the measured process)
  const shapes = new Map<string, { kind: string; shape: string }>();
  const count = (text: unknown) => {
    const sql =
      typeof text === 'string'
        ? text
        : typeof text === 'object' && text !== null && 'text' in text
          ? String((text as { text: unknown }).text)
          : '';
    let known = shapes.get(sql);
    if (known === undefined) {
      known = shapeOf(sql);
      if (shapes.size < 10_000) shapes.set(sql, known);
    }
    const { kind, shape } = known;
    tally.total++;
    tally.byKind[kind] = (tally.byKind[kind] ?? 0) + 1;
    tally.byShape[shape] = (tally.byShape[shape] ?? 0) + 1;
  };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    count(args[0]);
    return original.apply(this, args);
  };
  const dump = () => {
    tally.seq++;
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(tally));
    renameSync(`${file}.tmp`, file); // a reader never sees half a file
  };
  // SIGWINCH: ignored by default (a process without this file loses nothing) and not one of the
  // signals Nest's shutdown hooks take (SIGUSR2 is).
  process.on('SIGWINCH', dump);
  dump();
}
