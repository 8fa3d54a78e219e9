/**
 * The one way to build a TypeORM DataSource for an owner's schema: migrations only (never
 * synchronize), the migrations table inside the schema, and every pooled connection's
 * search_path set to the schema so queries and migrations use unqualified table names.
 */
import { DataSource } from 'typeorm';
import { type PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { DatabaseConfigError } from './errors';
import { assertSchemaName } from './identifiers';
import { assertOwner, type Owner } from './owners';
import { entitiesOf, migrationsOf } from './registry';
import { parseDatabaseUrl } from './url';

export interface DataSourceConfig {
  /** postgres://user[:password]@host[:port]/database */
  readonly url: string;
  readonly owner: Owner;
  /** Defaults to the owner's name; tests pass their own so suites stay isolated. */
  readonly schema?: string;
  /** Shown in pg_stat_activity, e.g. `sessionrec-ingest`. */
  readonly applicationName: string;
  readonly poolSize?: number;
}

export const MIGRATIONS_TABLE = 'migrations';

export function dataSourceOptions(config: DataSourceConfig): PostgresConnectionOptions {
  parseDatabaseUrl(config.url);
  const owner = assertOwner(config.owner);
  const schema = assertSchemaName(config.schema ?? owner);
  const poolSize = config.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 100) {
    throw new DatabaseConfigError(`poolSize must be an integer from 1 to 100, got ${poolSize}`);
  }
  if (!/^[\x20-\x7e]{1,63}$/.test(config.applicationName)) {
    throw new DatabaseConfigError('applicationName must be 1-63 printable ASCII characters');
  }
  return {
    type: 'postgres',
    url: config.url,
    schema,
    applicationName: config.applicationName,
    poolSize,
    entities: entitiesOf(owner),
    migrations: migrationsOf(owner),
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    migrationsRun: false,
    synchronize: false,
    dropSchema: false,
    logging: false,
    // assertSchemaName allows only [a-z0-9_], so the name needs no escaping here.
    extra: { options: `-c search_path=${schema}` },
  };
}

/** A DataSource for one owner's schema; call `initialize()` (or let DatabaseModule do it). */
export function createDataSource(config: DataSourceConfig): DataSource {
  return new DataSource(dataSourceOptions(config));
}
