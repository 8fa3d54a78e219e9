/**
 * Brings every owner's schema up to date. Services never migrate on their own; the
 * operator (`sessionrec migrate`, `npm start`) does, and a PostgreSQL advisory lock makes
 * two migrators at once (two replicas starting, two test workers) take turns safely.
 */
import { type Client } from 'pg';
import { type DataSource } from 'typeorm';
import { connectClient, describe } from './connect';
import { createDataSource } from './data-source';
import { DatabaseConnectionError, MigrationError } from './errors';
import { assertSchemaName, quoteIdentifier } from './identifiers';
import { assertOwner, OWNERS, type Owner } from './owners';
import { maskDatabaseUrl } from './url';
import { PLATFORM_VERSION } from './version';

/** One fixed advisory-lock key for "sessionrec migrations" in this database. */
export const MIGRATION_LOCK_KEY = '7301142918201603';

export interface RunMigrationsOptions {
  readonly url: string;
  /** Defaults to every owner. */
  readonly owners?: readonly Owner[];
  /** Defaults to the owner's own name; tests give each suite its own schemas. */
  readonly schemaFor?: (owner: Owner) => string;
  readonly log?: (message: string) => void;
}

export interface OwnerMigrationResult {
  readonly owner: Owner;
  readonly schema: string;
  /** Names of the migrations applied by this run, oldest first; empty when up to date. */
  readonly applied: readonly string[];
}

export interface MigrationSummary {
  readonly owners: readonly OwnerMigrationResult[];
  readonly appliedCount: number;
}

export async function runMigrations(options: RunMigrationsOptions): Promise<MigrationSummary> {
  const owners = (options.owners ?? OWNERS).map(assertOwner);
  const schemaFor = options.schemaFor ?? ((owner: Owner) => owner);
  const plan = owners.map((owner) => ({ owner, schema: assertSchemaName(schemaFor(owner)) }));
  const log = options.log ?? (() => undefined);

  const lock = await connectClient(options.url, 'sessionrec-migrate-lock');
  try {
    await lock.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    const results: OwnerMigrationResult[] = [];
    for (const { owner, schema } of plan) {
      results.push(await migrateOwner(options.url, lock, owner, schema, log));
    }
    return {
      owners: results,
      appliedCount: results.reduce((sum, result) => sum + result.applied.length, 0),
    };
  } finally {
    // Ending the session also releases the lock; unlocking first keeps the intent plain.
    await lock.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => 0);
    await lock.end();
  }
}

async function migrateOwner(
  url: string,
  lock: Client,
  owner: Owner,
  schema: string,
  log: (message: string) => void,
): Promise<OwnerMigrationResult> {
  // The migrations table lives in the schema, so the schema must exist before TypeORM looks.
  await lock.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  const dataSource = createDataSource({
    url,
    owner,
    schema,
    applicationName: 'sessionrec-migrate',
    poolSize: 1,
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new DatabaseConnectionError(
      `cannot connect to PostgreSQL at ${maskDatabaseUrl(url)}: ${describe(error)}`,
      { cause: error },
    );
  }
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    await recordPlatformVersion(dataSource);
    const names = applied.map((migration) => migration.name);
    log(
      names.length === 0
        ? `${owner}: schema ${schema} is up to date`
        : `${owner}: applied ${names.join(', ')} in schema ${schema}`,
    );
    return { owner, schema, applied: names };
  } catch (error) {
    throw new MigrationError(`migrating ${owner} (schema ${schema}) failed: ${describe(error)}`, {
      cause: error,
    });
  } finally {
    await dataSource.destroy();
  }
}

/** schema_info.platform_version says which release last migrated the schema. */
async function recordPlatformVersion(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `INSERT INTO schema_info (key, value) VALUES ('platform_version', $1)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
     WHERE schema_info.value IS DISTINCT FROM EXCLUDED.value`,
    [PLATFORM_VERSION],
  );
}
