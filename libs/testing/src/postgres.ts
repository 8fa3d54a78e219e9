/**
 * Each test suite gets its own set of owner schemas (`<prefix>_<owner>`) in the shared test
 * database, migrated exactly like production, and drops them afterwards.
 */
import {
  ensureDatabase,
  OWNERS,
  quoteIdentifier,
  runMigrations,
  type Owner,
} from '@sessionrec/database';
import { Client } from 'pg';

export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sessionrec_test';
}

export function testSchemaName(prefix: string, owner: Owner): string {
  return `${prefix}_${owner}`;
}

/** Creates the test database if needed and migrates every owner into `<prefix>_<owner>`. */
export async function createTestSchemas(prefix: string): Promise<Record<Owner, string>> {
  const url = testDatabaseUrl();
  await ensureDatabase(url);
  await runMigrations({ url, schemaFor: (owner) => testSchemaName(prefix, owner) });
  return Object.fromEntries(
    OWNERS.map((owner) => [owner, testSchemaName(prefix, owner)]),
  ) as Record<Owner, string>;
}

/**
 * Drops every schema whose name starts with `<prefix>_`, with everything in it. Only test
 * prefixes from uniqueTestName (`t_...`) are accepted: this must never reach real schemas.
 */
export async function dropTestSchemas(prefix: string): Promise<void> {
  if (!/^t_[a-z0-9_]+$/.test(prefix)) {
    throw new Error(`dropTestSchemas: ${JSON.stringify(prefix)} is not a uniqueTestName prefix`);
  }
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`,
      [`${prefix}_`],
    );
    for (const { nspname } of rows) {
      await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(nspname)} CASCADE`);
    }
  } finally {
    await client.end();
  }
}
