export { ConfigError, type ConfigProblem } from './config-error';
export {
  defaultVar,
  envBoolean,
  envEnum,
  envInteger,
  envPort,
  envRegistry,
  envString,
  envUrl,
  Invalid,
  isUrl,
  optionalVar,
  parsed,
  requiredVar,
  setTogether,
  type EnvParser,
  type EnvVarMeta,
} from './env-var';
export { describeEnv, ENV_VARIABLES, envTableMarkdown, type EnvVariable } from './env-variables';
export { databaseEnv, DEFAULT_DATABASE_URL, type DatabaseEnv } from './groups/database';
export {
  httpEnv,
  SERVICE_PORT_VARS,
  SERVICE_PORTS,
  serviceHttpEnv,
  type ServiceName,
} from './groups/http';
export { nodeArgsOf, SERVICE_NODE_ARGS } from './node-args';
export { natsEnv, type NatsEnv } from './groups/nats';
export {
  parseStorageUrl,
  storageEnv,
  type StorageEnv,
  type StorageLocation,
} from './groups/storage';
export { serviceEnv, type ServiceEnv } from './groups/service';
export { ingestEnv, type IngestEnv } from './groups/ingest';
export { apiEnv, type ApiEnv } from './groups/api';
export { indexerEnv, type IndexerEnv } from './groups/indexer';
export { policyEnv, type PolicyEnv } from './groups/policy';
export { LOG_LEVELS, telemetryEnv, type LogLevel, type TelemetryEnv } from './groups/telemetry';
export { loadConfig } from './load-config';
export { redactUrlCredentials } from './redact-url';
