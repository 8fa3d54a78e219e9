/** PostgreSQL connection: one database, one schema per service. */
import { z } from 'zod';
import { defaultVar, envUrl } from '../env-var';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/sessionrec';

export const databaseEnv = z.object({
  DATABASE_URL: defaultVar(
    envUrl(['postgres:', 'postgresql:'], 'must be a postgres:// URL'),
    DEFAULT_DATABASE_URL,
    { description: 'PostgreSQL connection URL (a password in it is never logged)' },
  ),
});

export type DatabaseEnv = z.output<typeof databaseEnv>;
