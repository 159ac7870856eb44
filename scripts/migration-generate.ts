/**
 * Prints the SQL TypeORM would run to bring DATABASE_URL's schema in line with the entity
 * mappings (up, then down). Paste it into a new file under migrations/ and review it: add
 * what TypeORM cannot express (triggers, partial-index predicates) and check every line.
 *
 *   DATABASE_URL=postgres://127.0.0.1/scratch node dist/scripts/migration-generate.js
 */
import { DataSource } from 'typeorm';
import { ENTITIES } from '../libs/persistence/src/entities.js';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is required (an empty scratch database with the current migrations applied)');
  process.exit(2);
}
const ds = new DataSource({ type: 'postgres', url, entities: ENTITIES, synchronize: false });
await ds.initialize();
const sql = await ds.driver.createSchemaBuilder().log();
console.log('-- up');
for (const q of sql.upQueries) console.log(`${q.query};`);
console.log('-- down');
for (const q of sql.downQueries.reverse()) console.log(`${q.query};`);
await ds.destroy();
