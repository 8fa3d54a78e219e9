/**
 * The database part of a service's GET /health/ready: the server answers and the owner's
 * migrations have run (schema_info names the expected owner). It throws when not ready, so
 * any health registry treats a failure as a failure; telemetry's HealthRegistry calls it.
 */
import { type DataSource } from 'typeorm';
import { describe } from './connect';
import { DatabaseNotReadyError } from './errors';

export interface DatabaseReadiness {
  readonly owner: string;
  readonly schema: string;
}

const UNDEFINED_TABLE = '42P01';

/**
 * The readiness check in telemetry's HealthCheck shape (`() => Promise<void>`, throws when
 * not ready): `health.register('database', () => databaseReadiness(dataSource, 'ingest'))`.
 */
export async function databaseReadiness(
  dataSource: DataSource,
  expectedOwner?: string,
): Promise<void> {
  await inspectDatabase(dataSource, expectedOwner);
}

/** The same check, returning what it found (owner and schema) for diagnostics and tests. */
export async function inspectDatabase(
  dataSource: DataSource,
  expectedOwner?: string,
): Promise<DatabaseReadiness> {
  const configured = (dataSource.options as { schema?: unknown }).schema;
  const schema = typeof configured === 'string' ? configured : 'public';
  if (!dataSource.isInitialized) {
    throw new DatabaseNotReadyError('database connection is not initialised');
  }
  let rows: unknown;
  try {
    await dataSource.query('SELECT 1');
    rows = await dataSource.query(`SELECT value FROM schema_info WHERE key = 'owner'`);
  } catch (error) {
    if ((error as { driverError?: { code?: unknown } }).driverError?.code === UNDEFINED_TABLE) {
      throw new DatabaseNotReadyError(
        `schema ${schema} has no schema_info table: run \`npx sessionrec migrate\``,
      );
    }
    throw new DatabaseNotReadyError(`database query failed: ${describe(error)}`, {
      cause: error,
    });
  }
  const owner = Array.isArray(rows) ? (rows[0] as { value?: unknown } | undefined)?.value : null;
  if (typeof owner !== 'string') {
    throw new DatabaseNotReadyError(`schema ${schema} has no owner in schema_info`);
  }
  if (expectedOwner !== undefined && owner !== expectedOwner) {
    throw new DatabaseNotReadyError(
      `schema ${schema} belongs to ${owner}, not ${expectedOwner}: check the schema setting`,
    );
  }
  return { owner, schema };
}
