/**
 * Short-lived pg clients for the maintenance work that sits outside any owner's schema
 * (creating the database, the migration lock), with connection errors made safe to show.
 */
import { Client } from 'pg';
import { DatabaseConnectionError } from './errors';
import { maskDatabaseUrl } from './url';

export async function connectClient(url: string, applicationName: string): Promise<Client> {
  const client = new Client({
    connectionString: url,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client whose server goes away emits 'error'; without a listener that would crash.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new DatabaseConnectionError(
      `cannot connect to PostgreSQL at ${maskDatabaseUrl(url)}: ${describe(error)}`,
      { cause: error },
    );
  }
  return client;
}

export function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(describe).join('; ');
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
