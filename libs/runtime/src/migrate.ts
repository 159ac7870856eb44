/** Apply pending migrations, one process at a time (several replicas may start together). */
import type { Db } from '#persistence';

export async function migrate(db: Db, log: { info(o: object, m?: string): void }): Promise<void> {
  await db.withLock('tideline:migrations', 60_000, async () => {
    const applied = await db.dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0) log.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
  });
}
