/**
 * One statement with a time limit: PostgreSQL cancels it (`statement_timeout`, set for its
 * transaction only) once it runs longer, so a search can give up on an optional part
 * instead of holding its reply and a database core. It runs without JIT compilation.
 */
import type { DataSource } from 'typeorm';

/** SQLSTATE query_canceled: what a statement_timeout raises. */
const QUERY_CANCELED = '57014';

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const driver = (error as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof driver === 'string' ? driver : undefined;
}

/** The statement's rows, or undefined when it ran longer than `ms` (at least 1). */
export async function queryWithin<T>(
  dataSource: DataSource,
  ms: number,
  sql: string,
  params: unknown[],
): Promise<T | undefined> {
  const limit = Math.max(1, Math.floor(ms));
  return dataSource.transaction(async (tx) => {
    // No JIT either: a statement worth a budget looks expensive to the planner, which spent
    // ~27 ms of a 60 ms budget compiling it (the facets of a broad search).
    await tx.query(
      `SELECT set_config('statement_timeout', '${limit}', true), set_config('jit', 'off', true)`,
    );
    try {
      return await tx.query<T>(sql, params);
    } catch (error) {
      if (sqlState(error) === QUERY_CANCELED) return undefined;
      throw error;
    }
  });
}
