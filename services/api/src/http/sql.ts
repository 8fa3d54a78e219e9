/**
 * TypeORM's raw `query` answers UPDATE and DELETE with `[rows, count]` and everything
 * else with `rows`; this gives every caller plain rows either way.
 */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export async function selectRows<T>(db: Queryable, sql: string, params: unknown[]): Promise<T[]> {
  const result = await db.query(sql, params);
  if (!Array.isArray(result)) return [];
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
