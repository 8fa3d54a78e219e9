/**
 * The configuration every service reads at boot, from one schema: PostgreSQL, NATS, the
 * object store, telemetry and its own HTTP port. An invalid environment stops the service
 * before anything connects, naming every bad variable.
 */
import {
  databaseEnv,
  loadConfig,
  natsEnv,
  serviceEnv,
  serviceHttpEnv,
  SERVICE_PORT_VARS,
  storageEnv,
  telemetryEnv,
  type ServiceName,
} from '@sessionrec/config';
import { z } from 'zod';

function runtimeSchema(service: ServiceName) {
  return z.object({
    database: databaseEnv,
    nats: natsEnv,
    storage: storageEnv,
    telemetry: telemetryEnv,
    http: serviceHttpEnv(service),
    service: serviceEnv,
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
    shutdownTimeoutMs: cfg.service.SHUTDOWN_TIMEOUT_MS,
  };
}
