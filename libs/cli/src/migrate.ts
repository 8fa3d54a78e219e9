/**
 * `sessionrec migrate`: create the database if needed and bring every owner's schema up
 * to date. Safe to run any number of times and from several places at once.
 */
import {
  ensureDatabase,
  maskDatabaseUrl,
  runMigrations,
  type MigrationSummary,
} from '@sessionrec/database';

export async function migrate(
  databaseUrl: string,
  say: (line: string) => void,
): Promise<MigrationSummary> {
  const database = await ensureDatabase(databaseUrl);
  say(
    database.created
      ? `Created database ${database.database} (${maskDatabaseUrl(databaseUrl)}).`
      : `Database ${database.database} exists (${maskDatabaseUrl(databaseUrl)}).`,
  );
  const summary = await runMigrations({ url: databaseUrl, log: say });
  say(
    summary.appliedCount === 0
      ? 'Nothing to apply: every schema is up to date.'
      : `Applied ${summary.appliedCount} migration(s).`,
  );
  return summary;
}
