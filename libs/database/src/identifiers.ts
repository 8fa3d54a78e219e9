/**
 * Schema and database names end up inside SQL text (DDL cannot take bind parameters) and
 * inside the pg `options` connection string, so they are validated and quoted here, once.
 */
import { DatabaseConfigError } from './errors';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names are plain lower-case identifiers: safe unquoted in `search_path` too. */
export function assertSchemaName(name: string): string {
  if (!SCHEMA_NAME.test(name) || name.startsWith('pg_')) {
    throw new DatabaseConfigError(
      `invalid schema name ${JSON.stringify(name)}: use 1-63 of [a-z0-9_], not starting with a digit or pg_`,
    );
  }
  return name;
}

/** Quotes any identifier for PostgreSQL (doubling embedded quotes). */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || Buffer.byteLength(name) > 63 || name.includes('\0')) {
    throw new DatabaseConfigError(
      `invalid identifier ${JSON.stringify(name)}: 1-63 bytes, no NUL characters`,
    );
  }
  return `"${name.replace(/"/g, '""')}"`;
}
