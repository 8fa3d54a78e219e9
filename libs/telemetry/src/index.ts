export { HealthController } from './health/health.controller';
export { HealthModule } from './health/health.module';
export {
  HEALTH_OPTIONS,
  HealthCheckNameError,
  HealthRegistry,
  type CheckResult,
  type HealthCheck,
  type HealthOptions,
  type ReadinessReport,
} from './health/health.registry';
export {
  HttpTracingInterceptor,
  spanOfRequest,
  traceHttpRequest,
} from './http-tracing.interceptor';
export { lateHistogram, type LateHistogram } from './late-histogram';
export { createLogger, loggerOptions, type LoggerSettings } from './logger';
export { MetricsController, PROMETHEUS_CONTENT_TYPE } from './metrics.controller';
export { registerProcessMetrics } from './process-metrics';
export {
  CENSOR,
  isSecretKey,
  REDACT_PATHS,
  redactingErrorSerializer,
  redactingRequestSerializer,
  redactUrlQuery,
  redactValue,
} from './redaction';
export {
  activeTelemetry,
  otlpTracesUrl,
  startTelemetry,
  TelemetryAlreadyStartedError,
  type TelemetryHandle,
  type TelemetryOptions,
} from './sdk';
export {
  OPERATIONAL_ROUTES,
  QUIET_REQUEST_LOG,
  type QuietRequestLog,
  TelemetryModule,
  type TelemetryModuleOptions,
} from './telemetry.module';
export { activeTraceFields, traceFieldsOf, type TraceFields } from './trace-fields';
