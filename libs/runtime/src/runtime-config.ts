/**
 * The configuration every service reads at boot, from one schema: PostgreSQL, NATS, the
 * object store, telemetry and its own HTTP port. An invalid environment stops the service
 * before anything connects, naming every bad variable.
 */
import {
  databaseEnv,
  defaultVar,
  envString,
  loadConfig,
  natsEnv,
  optionalVar,
  serviceHttpEnv,
  SERVICE_PORT_VARS,
  storageEnv,
  telemetryEnv,
  type ServiceName,
} from '@sessionrec/config';
import { z } from 'zod';

const schemaName = envString(
  /^[a-z_][a-z0-9_]{0,62}$/,
  'must be a PostgreSQL schema name: lower-case letters, digits and _',
);

function runtimeSchema(service: ServiceName) {
  return z.object({
    database: databaseEnv,
    nats: natsEnv,
    storage: storageEnv,
    telemetry: telemetryEnv,
    http: serviceHttpEnv(service),
    service: z.object({
      DATABASE_SCHEMA: optionalVar(schemaName, {
        description:
          "PostgreSQL schema of this service's tables (default: the owner's name); set when several deployments share one database",
      }),
      SHUTDOWN_TIMEOUT_MS: defaultVar(
        envString(/^\d{3,6}$/, 'must be milliseconds between 100 and 999999'),
        '25000',
        { description: 'How long a service may take to stop after SIGTERM before it exits anyway' },
      ),
    }),
  });
}

export interface RuntimeConfig {
  readonly service: ServiceName;
  readonly databaseUrl: string;
  readonly databaseSchema: string | undefined;
  readonly nats: z.output<typeof natsEnv>;
  readonly storage: z.output<typeof storageEnv>;
  readonly telemetry: z.output<typeof telemetryEnv>;
  readonly host: string;
  readonly port: number;
  readonly shutdownTimeoutMs: number;
}

export function loadRuntimeConfig(
  service: ServiceName,
  env: NodeJS.ProcessEnv = process.env,
): RuntimeConfig {
  const cfg = loadConfig(runtimeSchema(service), env);
  const http = cfg.http as Record<string, unknown> & { HOST: string };
  return {
    service,
    databaseUrl: cfg.database.DATABASE_URL,
    databaseSchema: cfg.service.DATABASE_SCHEMA,
    nats: cfg.nats,
    storage: cfg.storage,
    telemetry: cfg.telemetry,
    host: http.HOST,
    port: http[SERVICE_PORT_VARS[service]] as number,
    shutdownTimeoutMs: Number(cfg.service.SHUTDOWN_TIMEOUT_MS),
  };
}
