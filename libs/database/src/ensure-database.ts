/**
 * A fresh PostgreSQL has no `sessionrec` database; `npm start` and `sessionrec migrate`
 * create it through the `postgres` maintenance database so first start needs no manual step.
 */
import { connectClient } from './connect';
import { quoteIdentifier } from './identifiers';
import { parseDatabaseUrl, withDatabase } from './url';

export interface EnsureDatabaseResult {
  readonly database: string;
  readonly created: boolean;
}

const DUPLICATE_DATABASE = '42P04';

export async function ensureDatabase(url: string): Promise<EnsureDatabaseResult> {
  const { database } = parseDatabaseUrl(url);
  const client = await connectClient(withDatabase(url, 'postgres'), 'sessionrec-ensure-database');
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount) return { database, created: false };
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    } catch (error) {
      // Another process created it between our check and our CREATE: that is success.
      if ((error as { code?: unknown }).code === DUPLICATE_DATABASE) {
        return { database, created: false };
      }
      throw error;
    }
    return { database, created: true };
  } finally {
    await client.end();
  }
}
