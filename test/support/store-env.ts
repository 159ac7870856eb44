/** A migrated test database with its Db, and a BullMQ job queue on its own prefix, for integration tests. */
import { QUEUES } from '#application';
import { JobQueues, redisConnection } from '#integrations';
import { createDataSource, Db } from '#persistence';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from './services.js';

export interface StoreEnv {
  tdb: TestDatabase;
  db: Db;
  queues: JobQueues;
  close(): Promise<void>;
}

export async function startStoreEnv(): Promise<StoreEnv> {
  const tdb = await createTestDatabase();
  const db = new Db(await createDataSource({ kind: 'server', url: tdb.url }), false);
  await db.dataSource.runMigrations({ transaction: 'each' });
  const queues = new JobQueues(redisConnection(REDIS_URL), uniquePrefix());
  return {
    tdb,
    db,
    queues,
    async close() {
      await queues.queue(QUEUES.releases).obliterate({ force: true });
      await queues.close();
      await db.close();
      await tdb.drop();
    },
  };
}
