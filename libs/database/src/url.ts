/**
 * Database URLs carry credentials; everything that shows a URL (errors, logs, CLI output)
 * goes through `maskDatabaseUrl`, and everything that connects goes through
 * `parseDatabaseUrl`, which rejects what pg would otherwise misread silently.
 */
import { DatabaseConfigError } from './errors';

/** The URL with any password replaced by `***`; unparsable input is not echoed at all. */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable database URL>';
  }
}

export interface ParsedDatabaseUrl {
  readonly url: URL;
  readonly database: string;
}

export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConfigError(
      'DATABASE_URL is not a URL: expected postgres://user[:password]@host[:port]/database',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseConfigError(
      `database URL ${maskDatabaseUrl(url)} must start with postgres:// or postgresql://`,
    );
  }
  if (!parsed.hostname) {
    throw new DatabaseConfigError(`database URL ${maskDatabaseUrl(url)} has no host`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) {
    throw new DatabaseConfigError(
      `database URL ${maskDatabaseUrl(url)} must name exactly one database in its path`,
    );
  }
  return { url: parsed, database };
}

/** The same server and credentials, another database (e.g. the `postgres` maintenance DB). */
export function withDatabase(url: string, database: string): string {
  const { url: parsed } = parseDatabaseUrl(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
