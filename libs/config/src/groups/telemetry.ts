/** Logging, tracing and metrics switches shared by every service. */
import { z } from 'zod';
import { defaultVar, envBoolean, envEnum, envString, envUrl, optionalVar } from '../env-var';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const telemetryEnv = z.object({
  LOG_LEVEL: defaultVar(envEnum(LOG_LEVELS), 'info', { description: 'Minimum log level' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalVar(
    envUrl(['http:', 'https:'], 'must be an http(s):// URL'),
    {
      description: 'OTLP/HTTP collector base URL for traces (unset: traces stay in-process)',
    },
  ),
  OTEL_SERVICE_NAME: optionalVar(
    envString(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, ".", "_" or "-"'),
    { description: 'Overrides the service name in traces, metrics and logs' },
  ),
  METRICS_ENABLED: defaultVar(envBoolean, 'true', {
    description: 'Serve Prometheus metrics on GET /metrics',
  }),
});

export type TelemetryEnv = z.output<typeof telemetryEnv>;
