/**
 * The one door to the database. Against a server, transactions use the pool and a
 * release's stepper holds a session advisory lock on a dedicated connection (released by
 * Postgres if the process dies). Embedded PGlite has a single connection, so there every
 * unit of work is serialised in-process instead.
 */
import type { DataSource, EntityManager } from 'typeorm';

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
  readonly plain: { query<T = unknown>(sql: string, params?: unknown[]): Promise<T[]> } = {
    query: <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
      const pool = (this.dataSource.driver as { master?: { query(sql: string, params: unknown[]): Promise<{ rows: T[] }> } }).master;
      if (this.embedded || !pool) return this.read((m) => m.query(sql, params) as Promise<T[]>);
      return pool.query(sql, params).then((r) => r.rows);
    },
  };

  close(): Promise<void> {
    return this.dataSource.destroy();
  }
}
