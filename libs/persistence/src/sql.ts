/** Small SQL helpers that behave the same on node-postgres and PGlite. */
import type { EntityManager, EntitySchema, ObjectLiteral } from 'typeorm';

/**
 * UPDATE the rows matching `where` with the given property values; returns how many rows
 * changed. Wrapped in a CTE so both drivers hand back plain rows.
 */
export async function updateWhere<T extends ObjectLiteral>(
  m: EntityManager,
  entity: EntitySchema<T>,
  patch: Partial<T>,
  where: string,
  whereParams: unknown[],
): Promise<number> {
  const meta = m.connection.getMetadata(entity);
  const sets: string[] = [];
  const params: unknown[] = [...whereParams];
  for (const [prop, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const column = meta.findColumnWithPropertyName(prop);
    if (!column) throw new Error(`${meta.tableName} has no column for property ${prop}`);
    const isJson = column.type === 'jsonb' || column.type === 'json';
    params.push(isJson && value !== null ? JSON.stringify(value) : value);
    sets.push(`"${column.databaseName}" = $${params.length}${isJson ? '::jsonb' : ''}`);
  }
  if (meta.findColumnWithPropertyName('updatedAt')) sets.push(`"updated_at" = now()`);
  if (sets.length === 0) return 0;
  const rows: unknown[] = await m.query(
    `WITH u AS (UPDATE "${meta.tableName}" SET ${sets.join(', ')} WHERE ${where} RETURNING 1) SELECT count(*)::int AS n FROM u`,
    params,
  );
  return Number((rows[0] as { n: number }).n);
}
