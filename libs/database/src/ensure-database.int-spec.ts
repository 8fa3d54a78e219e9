import { testDatabaseUrl, uniqueTestName } from '@sessionrec/testing';
import { Client } from 'pg';
import { ensureDatabase } from './ensure-database';
import { DatabaseConnectionError } from './errors';
import { withDatabase } from './url';

describe('ensureDatabase (real PostgreSQL)', () => {
  const maintenanceUrl = withDatabase(testDatabaseUrl(), 'postgres');

  async function databaseExists(name: string): Promise<boolean> {
    const client = new Client({ connectionString: maintenanceUrl });
    await client.connect();
    try {
      const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      return result.rowCount === 1;
    } finally {
      await client.end();
    }
  }

  it('creates a missing database once, then finds it', async () => {
    // A name that needs quoting proves the identifier is quoted, not pasted.
    const name = `${uniqueTestName('ensure')}-Mixed`;
    const url = withDatabase(testDatabaseUrl(), name);
    try {
      expect(await databaseExists(name)).toBe(false);
      expect(await ensureDatabase(url)).toEqual({ database: name, created: true });
      expect(await databaseExists(name)).toBe(true);
      expect(await ensureDatabase(url)).toEqual({ database: name, created: false });
    } finally {
      const client = new Client({ connectionString: maintenanceUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}"`);
      await client.end();
    }
  });

  it('reports an unreachable server without the password', async () => {
    const error: unknown = await ensureDatabase(
      'postgres://postgres:hunter2@127.0.0.1:1/sessionrec_test',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    expect((error as Error).message).toContain('postgres://postgres:***@127.0.0.1:1/postgres');
    expect((error as Error).message).not.toContain('hunter2');
  });
});
