/**
 * What the operator CLI reads from the environment, validated once through libs/config
 * (every bad variable reported together). The launcher hands the same values to the
 * services, so launcher and services cannot disagree about ports or URLs.
 */
import {
  databaseEnv,
  loadConfig,
  natsEnv,
  SERVICE_PORT_VARS,
  serviceHttpEnv,
  storageEnv,
  type ServiceName,
  type StorageLocation,
} from '@sessionrec/config';
import { z } from 'zod';

export const SERVICE_NAMES = [
  'ingest',
  'policy',
  'indexer',
  'responder',
  'retention',
  'api',
] as const satisfies readonly ServiceName[];

export interface NatsTarget {
  readonly servers: readonly string[];
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
}

export interface LauncherEnv {
  readonly databaseUrl: string;
  readonly nats: NatsTarget;
  readonly storage: StorageLocation;
  /** Interface the services listen on (HOST). */
  readonly host: string;
  readonly ports: Readonly<Record<ServiceName, number>>;
  /** The environment for the services: the caller's, with every resolved value made explicit. */
  readonly serviceEnv: Readonly<Record<string, string>>;
}

const launcherSchema = z.object({
  database: databaseEnv,
  nats: natsEnv,
  storage: storageEnv,
  ingest: serviceHttpEnv('ingest'),
  policy: serviceHttpEnv('policy'),
  indexer: serviceHttpEnv('indexer'),
  responder: serviceHttpEnv('responder'),
  retention: serviceHttpEnv('retention'),
  api: serviceHttpEnv('api'),
});

/** DATABASE_URL alone, for commands that only touch PostgreSQL. Throws ConfigError. */
export function readDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return loadConfig(z.object({ database: databaseEnv }), env).database.DATABASE_URL;
}

/** Everything `sessionrec start` needs. Throws ConfigError listing every bad variable. */
export function readLauncherEnv(env: NodeJS.ProcessEnv = process.env): LauncherEnv {
  const config = loadConfig(launcherSchema, env);
  const ports = {
    ingest: config.ingest.INGEST_PORT,
    policy: config.policy.POLICY_PORT,
    indexer: config.indexer.INDEXER_PORT,
    responder: config.responder.RESPONDER_PORT,
    retention: config.retention.RETENTION_PORT,
    api: config.api.API_PORT,
  };
  const serviceEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) serviceEnv[key] = value;
  }
  serviceEnv.DATABASE_URL = config.database.DATABASE_URL;
  serviceEnv.NATS_URL = config.nats.NATS_URL.join(',');
  // Resolved to an absolute URL so a service's working directory cannot change its meaning.
  serviceEnv.STORAGE_URL = config.storage.STORAGE_URL.url;
  serviceEnv.HOST = config.api.HOST;
  for (const name of SERVICE_NAMES) serviceEnv[SERVICE_PORT_VARS[name]] = String(ports[name]);
  return {
    databaseUrl: config.database.DATABASE_URL,
    nats: {
      servers: config.nats.NATS_URL,
      user: config.nats.NATS_USER,
      password: config.nats.NATS_PASSWORD,
      token: config.nats.NATS_TOKEN,
    },
    storage: config.storage.STORAGE_URL,
    host: config.api.HOST,
    ports,
    serviceEnv,
  };
}
