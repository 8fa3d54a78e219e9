/**
 * What the agent administration commands read: the database (and the ingest schema,
 * `ingest` unless DATABASE_SCHEMA says otherwise) and, for revocation, NATS.
 */
import { databaseEnv, loadConfig, natsEnv, serviceEnv } from '@sessionrec/config';
import { assertSchemaName } from '@sessionrec/database';
import { z } from 'zod';

export interface AgentAdminEnv {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly nats: z.output<typeof natsEnv>;
}

export function readAgentAdminEnv(env: NodeJS.ProcessEnv): AgentAdminEnv {
  const config = loadConfig(
    z.object({ database: databaseEnv, service: serviceEnv, nats: natsEnv }),
    env,
  );
  return {
    databaseUrl: config.database.DATABASE_URL,
    schema: assertSchemaName(config.service.DATABASE_SCHEMA ?? 'ingest'),
    nats: config.nats,
  };
}
