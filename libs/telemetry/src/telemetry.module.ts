/**
 * Wires logging, HTTP tracing and GET /metrics into a Nest service. startTelemetry() must
 * already have run (before NestFactory.create) for spans and metrics to be recorded.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { LogLevel } from '@sessionrec/config';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { HttpTracingInterceptor, spanOfRequest } from './http-tracing.interceptor';
import { createLogger } from './logger';
import { MetricsController } from './metrics.controller';
import { redactingErrorSerializer, redactingRequestSerializer } from './redaction';
import { traceFieldsOf } from './trace-fields';

export interface TelemetryModuleOptions {
  readonly serviceName: string;
  readonly logLevel: LogLevel | 'silent';
  /** Where log lines go; stdout by default (tests pass a stream). */
  readonly destination?: DestinationStream;
  /** Paths whose successful requests are logged at debug (errors stay warn/error). */
  readonly quietSuccessPaths?: RegExp;
}

/** Paths to exclude from a global prefix: `app.setGlobalPrefix('api/v1', { exclude: ... })`. */
export const OPERATIONAL_ROUTES = ['metrics', 'health/live', 'health/ready'];

const QUIET_PATHS = /^\/(health\/|metrics(\?|$))/;

/** The level of a request's log line: failures stand out, quiet paths' successes do not. */
export function requestLogLevel(quietSuccessPaths: RegExp | undefined) {
  return (req: IncomingMessage, res: ServerResponse, error?: Error) => {
    if (error || res.statusCode >= 500) return 'error';
    if (res.statusCode >= 400) return 'warn';
    return quietSuccessPaths?.test(req.url ?? '') ? 'debug' : 'info';
  };
}

@Module({})
export class TelemetryModule {
  static forRoot(options: TelemetryModuleOptions): DynamicModule {
    const logger = createLogger(
      { serviceName: options.serviceName, logLevel: options.logLevel },
      options.destination,
    );
    return {
      module: TelemetryModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            // pino-http replaces the logger's serializers for its child loggers.
            serializers: { req: redactingRequestSerializer, err: redactingErrorSerializer },
            autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
            customLogLevel: requestLogLevel(options.quietSuccessPaths),
            customProps: (req) => {
              const span = spanOfRequest(req);
              return span ? traceFieldsOf(span) : {};
            },
          },
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_INTERCEPTOR, useClass: HttpTracingInterceptor }],
    };
  }
}
