/**
 * The bench side of the SQL statement counts: the environment that makes a spawned Tideline
 * process load sql-count-preload.js, and snapshots of what each process has sent so far.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tallyDelta, tallySum, type SqlTally } from './sql-shape.js';
import { sleep } from './support.js';

export type { SqlTally } from './sql-shape.js';

export interface SqlCounter {
  /** env for spawnNode: NODE_OPTIONS --import of the preload + where it writes */
  env: Record<string, string>;
  /** what each process has sent so far (SIGWINCH, then waits for the fresh file) */
  snapshot(procs: ReadonlyArray<{ name: string; pid: number }>): Promise<Record<string, SqlTally>>;
  remove(): void;
}

export function sqlCounter(): SqlCounter {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-bench-sql-'));
  const preload = pathToFileURL(join(import.meta.dirname, 'sql-count-preload.js')).href;
  const read = (pid: number): SqlTally | null => {
    const file = join(dir, `${pid}.json`);
    if (!existsSync(file)) return null;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as SqlTally;
    } catch {
      return null; // being written
    }
  };
  const one = async (pid: number): Promise<SqlTally> => {
    const before = read(pid);
    if (!before) throw new Error(`process ${pid} did not load the SQL counter (no ${dir}/${pid}.json)`);
    process.kill(pid, 'SIGWINCH');
    for (let i = 0; i < 500; i++) {
      await sleep(10);
      const now = read(pid);
      if (now && now.seq > before.seq) return now;
    }
    throw new Error(`process ${pid} did not write its SQL counts`);
  };
  return {
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim(), TIDELINE_BENCH_SQL_DIR: dir },
    async snapshot(procs) {
      const out: Record<string, SqlTally> = {};
      for (const p of procs) out[p.name] = await one(p.pid);
      return out;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface SqlPerStep {
  /** statements (all kinds, BEGIN/COMMIT included) ÷ units */
  perUnit: number;
  /** BEGIN ÷ units */
  transactionsPerUnit: number;
  units: number;
  total: SqlTally;
  /** the 12 most frequent shapes, per unit */
  topShapes: Array<{ shape: string; perUnit: number }>;
}

/** What `procs` sent between two snapshots, per unit of work (region-step, request). */
export function sqlPer(
  before: Record<string, SqlTally>,
  after: Record<string, SqlTally>,
  names: readonly string[],
  units: number,
): SqlPerStep {
  const total = tallySum(names.map((n) => tallyDelta(before[n]!, after[n]!)));
  const per = (n: number) => (units > 0 ? n / units : Number.NaN);
  const topShapes = Object.entries(total.byShape)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([shape, n]) => ({ shape, perUnit: per(n) }));
  return { perUnit: per(total.total), transactionsPerUnit: per(total.byKind['begin'] ?? 0), units, total, topShapes };
}

export function sqlLines(label: string, s: SqlPerStep): string[] {
  const kinds = Object.entries(s.total.byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${(n / s.units).toFixed(2)}`)
    .join(', ');
  return [
    `sql ${label}: ${s.perUnit.toFixed(2)} statements in ${s.transactionsPerUnit.toFixed(2)} transactions (${s.total.total} over ${s.units}); ${kinds}`,
    ...s.topShapes.map((t) => `        ${t.perUnit.toFixed(2)}  ${t.shape}`),
  ];
}
