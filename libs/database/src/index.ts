/**
 * The database library: one PostgreSQL database, one schema per owning service, TypeORM
 * entities and migrations per owner, the migrator, and the readiness check.
 */
export * from './errors';
export { assertSchemaName, quoteIdentifier } from './identifiers';
export { maskDatabaseUrl, parseDatabaseUrl, withDatabase, type ParsedDatabaseUrl } from './url';
export { OWNERS, OWNER_OF_SERVICE, isOwner, assertOwner, type Owner } from './owners';
export { PLATFORM_VERSION } from './version';
export { OWNER_REGISTRY, entitiesOf, migrationsOf, type OwnerRegistration } from './registry';
export { SchemaInfo } from './shared/schema-info.entity';
export { migrationSchema } from './shared/migration-schema';
export {
  createDataSource,
  dataSourceOptions,
  MIGRATIONS_TABLE,
  type DataSourceConfig,
} from './data-source';
export { ensureDatabase, type EnsureDatabaseResult } from './ensure-database';
export {
  runMigrations,
  MIGRATION_LOCK_KEY,
  type RunMigrationsOptions,
  type MigrationSummary,
  type OwnerMigrationResult,
} from './run-migrations';
export { databaseReadiness, inspectDatabase, type DatabaseReadiness } from './readiness';
export {
  DatabaseModule,
  type DatabaseModuleOptions,
  type DatabaseModuleAsyncOptions,
} from './database.module';
