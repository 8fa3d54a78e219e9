/**
 * Migrations never hard-code a schema (tests run each suite in its own schemas): they read
 * the schema the data source was created for. Unqualified names also work, because every
 * connection's search_path is that schema; qualifying is for DDL that must be unambiguous.
 */
import { type QueryRunner } from 'typeorm';
import { MigrationError } from '../errors';
import { assertSchemaName, quoteIdentifier } from '../identifiers';

/** The schema this migration runs in, validated and quoted for SQL text. */
export function migrationSchema(queryRunner: QueryRunner): { name: string; quoted: string } {
  const options = queryRunner.connection.options as { schema?: unknown };
  if (typeof options.schema !== 'string') {
    throw new MigrationError('migrations must run on a data source created with a schema');
  }
  const name = assertSchemaName(options.schema);
  return { name, quoted: quoteIdentifier(name) };
}
