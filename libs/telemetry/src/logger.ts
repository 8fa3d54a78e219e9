/**
 * The platform's pino configuration: JSON lines with level names, ISO time, the service
 * name, trace ids from the active span and secrets redacted. Nest services get it through
 * TelemetryModule; the CLI and the agent call createLogger directly.
 */
import { hostname } from 'node:os';
import { redactUrlCredentials, type LogLevel } from '@sessionrec/config';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { CENSOR, REDACT_PATHS, redactingErrorSerializer, redactLogObject } from './redaction';
import { activeTraceFields } from './trace-fields';

export interface LoggerSettings {
  readonly serviceName: string;
  readonly logLevel: LogLevel | 'silent';
}

export function loggerOptions(settings: LoggerSettings): LoggerOptions {
  return {
    level: settings.logLevel,
    base: { service: settings.serviceName, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: redactLogObject,
    },
    mixin: activeTraceFields,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: { err: redactingErrorSerializer, error: redactingErrorSerializer },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((arg: unknown) =>
          typeof arg === 'string' ? redactUrlCredentials(arg) : arg,
        ) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
  };
}

/** A logger writing to `destination` (stdout by default). */
export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(settings), destination) : pino(loggerOptions(settings));
}
