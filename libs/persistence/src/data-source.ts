/** Postgres through TypeORM: a server from DATABASE_URL, or embedded PGlite when none is given. */
import { createRequire } from 'node:module';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from '#migrations';

export type DatabaseTarget = { kind: 'server'; url: string; poolSize?: number } | { kind: 'embedded'; dataDir?: string };

export async function createDataSource(target: DatabaseTarget): Promise<DataSource> {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
  let options: DataSourceOptions;
  if (target.kind === 'server') {
    // idle clients live 60 s (pg's default is 10 s): gates run every 30 s by default, and a pool
    // that closes its connections between two gate rounds reopens them on the next one
    options = { ...common, type: 'postgres', url: target.url, extra: { max: target.poolSize ?? 20, idleTimeoutMillis: 60_000 } };
  } else {
    // typeorm-pglite is CommonJS and keeps one PGlite instance per process.
    const require = createRequire(import.meta.url);
    const { PGliteDriver } = require('typeorm-pglite') as typeof import('typeorm-pglite');
    const { uuid_ossp } = await import('@electric-sql/pglite/contrib/uuid_ossp');
    const driver = new PGliteDriver({ dataDir: target.dataDir, extensions: { uuid_ossp } }).driver;
    options = { ...common, type: 'postgres', driver };
  }
  const ds = new DataSource(options);
  await ds.initialize();
  return ds;
}
