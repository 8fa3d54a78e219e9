/** Settings every service reads about itself: its schema and how long it may take to stop. */
import { z } from 'zod';
import { defaultVar, envInteger, envString, optionalVar } from '../env-var';

export const serviceEnv = z.object({
  DATABASE_SCHEMA: optionalVar(
    envString(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a PostgreSQL schema name: a-z, 0-9 and _'),
    {
      description:
        "PostgreSQL schema of a service's tables (default: its owner's name, e.g. catalog for the indexer)",
    },
  ),
  SHUTDOWN_TIMEOUT_MS: defaultVar(envInteger(100, 600_000), '25000', {
    description: 'How long a service may take to stop after SIGTERM before it exits anyway',
  }),
});
export type ServiceEnv = z.output<typeof serviceEnv>;
