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

export class LockTimeoutError extends Error {
  constructor(key: string) {
    super(`could not take lock ${key} in time`);
    this.name = 'LockTimeoutError';
  }
}

export class Db {
  private readonly connection = new Mutex();
  private readonly localLocks = new Map<string, Mutex>();

  constructor(
    readonly dataSource: DataSource,
    readonly embedded: boolean,
  ) {}

  /** Run fn in one transaction. */
  tx<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const run = () => this.dataSource.transaction(fn);
    return this.embedded ? this.connection.run(run) : run();
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
        const runner = this.dataSource.createQueryRunner();
        await runner.connect();
        try {
          await runner.query(`SET lock_timeout = ${Math.max(1, Math.floor(waitMs))}`);
          try {
            await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
          } catch (err) {
            if (String((err as Error).message).includes('lock timeout')) throw new LockTimeoutError(key);
            throw err;
          }
          try {
            return await fn();
          } finally {
            await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
          }
        } finally {
          // the connection goes back to the pool: do not leave our lock_timeout on it
          await runner.query('RESET lock_timeout').catch(() => undefined);
          await runner.release();
        }
      });
    } finally {
      if (held.pending === 0 && this.localLocks.get(key) === held) this.localLocks.delete(key);
    }
  }

  close(): Promise<void> {
    return this.dataSource.destroy();
  }
}
