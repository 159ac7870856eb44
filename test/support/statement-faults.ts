/**
 * Kill-between-statements harness: wraps a real DataSource so that SQL statement N of a write
 * path "crashes" (throws, and every later statement but ROLLBACK fails too, as a dead process
 * sends nothing more), then checks the database holds either nothing of the path or all of it.
 */
import type { DataSource, QueryRunner } from 'typeorm';
import type { TestDatabase } from './services.js';

export class InjectedCrash extends Error {
  constructor(
    readonly statement: number,
    sql: string,
  ) {
    super(`injected crash at statement ${statement}: ${sql.slice(0, 120)}`);
    this.name = 'InjectedCrash';
  }
}

/** Statements a dead process could still send: only what undoes an open transaction. */
const AFTER_DEATH = /^\s*(ROLLBACK|RESET|SELECT pg_advisory_unlock)/i;

export class StatementFaults {
  private crashAt: number | null = null;
  private crashed = false;
  private count = 0;
  /** every statement of the current run, in order */
  readonly log: string[] = [];

  constructor(dataSource: DataSource) {
    // At the driver's connection, so statements sent past TypeORM's query runner (prepared,
    // named statements: libs/persistence/src/db.ts preparedQuery, and Db.statement / Db.plain
    // straight on the pg pool) are counted and crashed too.
    const patched = new WeakSet<object>();
    const patch = (client: { query: (...a: unknown[]) => Promise<unknown> | undefined } | null) => {
      if (!client || typeof client.query !== 'function' || patched.has(client)) return;
      patched.add(client);
      const query = client.query.bind(client);
      client.query = (first: unknown, ...rest: unknown[]) => {
        const sql = typeof first === 'string' ? first : String((first as { text?: unknown } | null)?.text ?? '');
        // pg-pool calls query(text, values, callback): answer through the callback then
        const callback = typeof rest.at(-1) === 'function' ? (rest.pop() as (err: unknown, result?: unknown) => void) : null;
        const run = async () => {
          const verdict = this.before(sql);
          if (verdict === 'crash') throw new InjectedCrash(this.count, sql);
          const result = await query(first, ...rest);
          if (verdict === 'run-then-crash') throw new InjectedCrash(this.count, sql);
          return result;
        };
        if (!callback) return run();
        run().then(
          (result) => callback(null, result),
          (err: unknown) => callback(err),
        );
        return undefined;
      };
    };
    type Client = Parameters<typeof patch>[0];
    const create = dataSource.createQueryRunner.bind(dataSource);
    dataSource.createQueryRunner = (mode?: 'master' | 'slave'): QueryRunner => {
      const runner = create(mode);
      const connect = runner.connect.bind(runner) as () => Promise<unknown>;
      runner.connect = (async () => {
        const client = (await connect()) as Client;
        patch(client);
        return client;
      }) as QueryRunner['connect'];
      return runner;
    };
    // the pool's own clients (pool.query), those connected already and those to come
    const pool = (dataSource.driver as { master?: { on(e: 'connect', f: (c: Client) => void): void; _clients?: Client[] } }).master;
    pool?.on('connect', patch);
    for (const client of pool?._clients ?? []) patch(client);
  }

  /**
   * A statement after the crash fails, unless it only undoes something (ROLLBACK, an advisory
   * unlock): the server does that itself when a process dies, so it runs even at the crash point.
   */
  private before(sql: string): 'run' | 'crash' | 'run-then-crash' {
    if (this.crashed) return AFTER_DEATH.test(sql) ? 'run' : 'crash';
    this.count++;
    this.log.push(sql);
    if (this.count !== this.crashAt) return 'run';
    this.crashed = true;
    return AFTER_DEATH.test(sql) ? 'run-then-crash' : 'crash';
  }

  /** Run `fn` normally and return the statements it sent. */
  async record<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    this.reset(null);
    const result = await fn();
    return { result, statements: [...this.log] };
  }

  /** Run `fn` with a crash at statement `n` (1-based); resolves with the error it ended with (or null if it finished first). */
  async crashAtStatement(n: number, fn: () => Promise<unknown>): Promise<unknown> {
    this.reset(n);
    try {
      await fn();
      return null;
    } catch (err) {
      return err;
    } finally {
      this.reset(null);
    }
  }

  private reset(crashAt: number | null): void {
    this.crashAt = crashAt;
    this.crashed = false;
    this.count = 0;
    this.log.length = 0;
  }
}

/** A digest of every row of every table but `migrations` (ids, timestamps and all). */
export async function fingerprint(db: TestDatabase): Promise<Record<string, string>> {
  const tables = await db.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const [row] = await db.query<{ d: string; n: number }>(
      `SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d, count(*)::int AS n FROM "${t}" x`,
    );
    out[t] = `${row!.n}:${row!.d}`;
  }
  return out;
}

export interface WritePath<F> {
  /** make a fresh fixture (nothing crashes here) */
  setup(): Promise<F>;
  /** the write path under test */
  run(fixture: F): Promise<unknown>;
  /** a view of what the path wrote, without ids or timestamps, to compare a crashed run with a whole one */
  observe(fixture: F): Promise<unknown>;
}

export interface CrashReport {
  statements: number;
  /** how many crash points left nothing written, and how many left the whole path written */
  nothing: number;
  whole: number;
}

/**
 * For every statement N of the path: a fresh fixture, a crash at N, and then the database must
 * be exactly as before (every table's digest) or hold the whole path (`observe` equal to a run
 * without a crash). Throws naming the first crash point that left a half-write.
 */
export async function crashEveryStatement<F>(faults: StatementFaults, db: TestDatabase, path: WritePath<F>): Promise<CrashReport> {
  const clean = await path.setup();
  const { statements } = await faults.record(() => path.run(clean));
  const whole = await path.observe(clean);
  const report: CrashReport = { statements: statements.length, nothing: 0, whole: 0 };
  for (let n = 1; n <= statements.length; n++) {
    const fixture = await path.setup();
    const before = await fingerprint(db);
    const beforeView = await path.observe(fixture);
    const err = await faults.crashAtStatement(n, () => path.run(fixture));
    const cleanup = AFTER_DEATH.test(statements[n - 1]!); // ran, and its failure may be ignored (as after a commit)
    if (!(err instanceof InjectedCrash) && !isCausedByCrash(err) && !(err === null && cleanup)) {
      throw new Error(`crash at statement ${n} (${statements[n - 1]}) did not end the path: ${err === null ? 'it finished' : String(err)}`);
    }
    if (JSON.stringify(await fingerprint(db)) === JSON.stringify(before)) {
      report.nothing++;
      continue;
    }
    const after = await path.observe(fixture);
    if (JSON.stringify(after) === JSON.stringify(whole)) {
      report.whole++;
      continue;
    }
    throw new Error(
      `half-written: a crash at statement ${n} of ${statements.length} (${statements[n - 1]!.slice(0, 160)}) left ${JSON.stringify(after)}; ` +
        `before: ${JSON.stringify(beforeView)}; whole: ${JSON.stringify(whole)}`,
    );
  }
  return report;
}

function isCausedByCrash(err: unknown): boolean {
  for (let e = err as { cause?: unknown; message?: string } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (e instanceof InjectedCrash || /injected crash/.test(String(e.message))) return true;
  }
  return false;
}
