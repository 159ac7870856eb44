/**
 * The one door to the database. Against a server, transactions use the pool and a
 * release's stepper holds a session advisory lock on a dedicated connection (released by
 * Postgres if the process dies). Embedded PGlite has a single connection, so there every
 * unit of work is serialised in-process instead.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

const statementNames = new Map<string, string>();

/**
 * At most this many statement texts are prepared (per process, so per pooled connection): the
 * texts prepared are fixed or of a few shapes, and a text past the bound runs unnamed (parsed and
 * planned each time) rather than growing every server session without end.
 */
export const MAX_PREPARED_STATEMENTS = 256;

/**
 * A stable name per statement text: node-postgres prepares a named statement once per connection
 * and reuses it. Undefined (run unnamed) once MAX_PREPARED_STATEMENTS texts are named.
 */
function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (name === undefined) {
    if (statementNames.size >= MAX_PREPARED_STATEMENTS) return undefined;
    name = `tl_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * A statement of fixed text (or of a few shapes) inside a unit of work: prepared once per
 * connection (parsed and planned once, then only bound and executed) when the unit of work runs
 * on a node-postgres connection; a plain `m.query` otherwise (PGlite).
 */
export async function preparedQuery<T>(m: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const client = (m.queryRunner as { databaseConnection?: unknown } | undefined)?.databaseConnection;
  if (!(client instanceof pg.Client)) return m.query(sql, params) as Promise<T[]>;
  const result = await client.query<T & pg.QueryResultRow>({ text: sql, values: params, name: statementName(sql) });
  return result.rows;
}

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  /** callers holding or waiting for the mutex */
  pending = 0;
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      this.pending--;
      release();
    }
  }
}

/** Counts free slots; `acquire` waits its turn (FIFO) up to a deadline. */
class Semaphore {
  private readonly waiters: Array<() => void> = [];
  constructor(private free: number) {}

  async acquire(waitMs: number): Promise<boolean> {
    if (this.free > 0) {
      this.free--;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
      }, waitMs);
      this.waiters.push(grant);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

export class LockTimeoutError extends Error {
  constructor(key: string) {
    super(`could not take lock ${key} in time`);
    this.name = 'LockTimeoutError';
  }
}

export class Db {
  private readonly connection = new Mutex();
  private readonly localLocks = new Map<string, Mutex>();
  /**
   * A lock holder keeps one pooled connection for the lock and needs others for its work: at
   * most half the pool holds locks at once, so many concurrent lockers (API requests) can never
   * take every connection and starve each other.
   */
  private readonly lockSlots: Semaphore;

  constructor(
    readonly dataSource: DataSource,
    readonly embedded: boolean,
  ) {
    const poolMax = (dataSource.options as { extra?: { max?: number } }).extra?.max ?? 10;
    this.lockSlots = new Semaphore(Math.max(1, Math.floor(poolMax / 2)));
  }

  /** Run fn in one transaction. */
  tx<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const run = () => this.dataSource.transaction(fn);
    return this.embedded ? this.connection.run(run) : run();
  }

  /**
   * Run fn in one transaction that first takes the transaction-scoped lock `key` (waiting for
   * it); the lock is held until the commit. On the server, BEGIN and the lock go in one round
   * trip (the simple query protocol takes no parameters: the key is sent as a quoted literal).
   */
  async txLocked<T>(key: string, fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const lock = 'SELECT pg_advisory_xact_lock(hashtext($1))';
    if (this.embedded) return this.tx(async (m) => (await m.query(lock, [key]), fn(m)));
    const runner = this.dataSource.createQueryRunner();
    try {
      try {
        await runner.query(`BEGIN; ${lock.replace('$1', pg.escapeLiteral(key))}`);
        const out = await fn(runner.manager);
        await runner.query('COMMIT');
        return out;
      } catch (err) {
        await runner.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * One statement outside an explicit transaction (it commits on its own, in one round trip),
   * prepared by its text on the pooled connection it runs on (straight on the pg pool, no
   * TypeORM query runner: this is the engine's step statement, its hottest write).
   */
  statement<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.plain.query<T>(sql, params, { prepare: true });
  }

  /** Run one statement outside an explicit transaction: it commits on its own, in one round trip. */
  autocommit<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.read(fn);
  }

  /** Run a read outside any transaction. */
  read<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const run = () => fn(this.dataSource.manager);
    return this.embedded ? this.connection.run(run) : run();
  }

  /**
   * Hold an exclusive lock named `key` (across every process sharing the database) while fn
   * runs. Waits up to `waitMs`, then throws LockTimeoutError.
   */
  async withLock<T>(key: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
    let local = this.localLocks.get(key);
    if (!local) this.localLocks.set(key, (local = new Mutex()));
    const held = local;
    try {
      return await held.run(async () => {
        if (this.embedded) return fn();
        if (!(await this.lockSlots.acquire(waitMs))) throw new LockTimeoutError(key);
        try {
          return await this.lockOnConnection(key, waitMs, fn);
        } finally {
          this.lockSlots.release();
        }
      });
    } finally {
      if (held.pending === 0 && this.localLocks.get(key) === held) this.localLocks.delete(key);
    }
  }

  private async lockOnConnection<T>(key: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let timeoutSet = false;
    try {
      // uncontended (the usual case): one statement; else wait for it up to waitMs
      const [{ ok }] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key])) as [{ ok: boolean }];
      if (!ok) {
        timeoutSet = true;
        await runner.query(`SET lock_timeout = ${Math.max(1, Math.floor(waitMs))}`);
        try {
          await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
        } catch (err) {
          if (String((err as Error).message).includes('lock timeout')) throw new LockTimeoutError(key);
          throw err;
        }
      }
      try {
        return await fn();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
      }
    } finally {
      // the connection goes back to the pool: do not leave our lock_timeout on it
      if (timeoutSet) await runner.query('RESET lock_timeout').catch(() => undefined);
      await runner.release();
    }
  }

  /**
   * Plain reads outside any transaction, straight on the server's pg pool (rows as the driver
   * parses them, the same as `EntityManager.query` gives, without a TypeORM query runner per
   * call). Embedded PGlite goes through TypeORM, serialised like every other unit of work.
   */
  readonly plain: { query<T = unknown>(sql: string, params?: unknown[], opts?: { prepare?: boolean }): Promise<T[]> } = {
    query: <T>(sql: string, params: unknown[] = [], opts: { prepare?: boolean } = {}): Promise<T[]> => {
      const pool = (this.dataSource.driver as { master?: { query(q: pg.QueryConfig): Promise<{ rows: T[] }> } }).master;
      if (this.embedded || !pool) return this.read((m) => m.query(sql, params) as Promise<T[]>);
      return pool.query({ text: sql, values: params, name: opts.prepare ? statementName(sql) : undefined }).then((r) => r.rows);
    },
  };

  close(): Promise<void> {
    return this.dataSource.destroy();
  }
}
