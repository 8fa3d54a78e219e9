/**
 * Named errors of the database layer, so callers (CLI, health checks, services) can tell a
 * bad configuration from an unreachable server from a schema that was never migrated.
 * Messages never contain a password: URLs are masked before they reach a message.
 */
export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError';
}

export class DatabaseConnectionError extends Error {
  override readonly name = 'DatabaseConnectionError';
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export class DatabaseNotReadyError extends Error {
  override readonly name = 'DatabaseNotReadyError';
}
