/**
 * Wires logging, HTTP tracing and GET /metrics into a Nest service. startTelemetry() must
 * already have run (before NestFactory.create) for spans and metrics to be recorded.
 */
import {
  type DynamicModule,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { LogLevel } from '@sessionrec/config';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { HttpTracingInterceptor, spanOfRequest } from './http-tracing.interceptor';
import { createLogger } from './logger';
import { MetricsController } from './metrics.controller';
import { quietRequestLogger } from './quiet-request-logger';
import { requestLogLevel } from './request-log-level';
import { redactingErrorSerializer, redactingRequestSerializer } from './redaction';
import { traceFieldsOf } from './trace-fields';

export interface TelemetryModuleOptions {
  readonly serviceName: string;
  readonly logLevel: LogLevel | 'silent';
  /** Where log lines go; stdout by default (tests pass a stream). */
  readonly destination?: DestinationStream;
  /**
   * Hot machine-to-machine routes (Nest route paths, e.g. `agent/v1/sessions/*rest`),
   * thousands a second: their successes are logged at debug and their failures at
   * warn/error by a light logger instead of pino-http, whose per-request child logger and
   * serialisers were a tenth of ingest's CPU.
   */
  readonly quietRoutes?: readonly string[];
}

const TELEMETRY_QUIET = Symbol('TELEMETRY_QUIET');

/**
 * The quiet request log as a `(req, res, next)` function, for routes that Nest's
 * middleware does not reach (a service's hot lane, see runService's `hotLane`): they call
 * it themselves, in their onRequest stage.
 */
export const QUIET_REQUEST_LOG = Symbol('QUIET_REQUEST_LOG');
export type QuietRequestLog = ReturnType<typeof quietRequestLogger>;

interface QuietSetup {
  readonly routes: readonly string[];
  readonly requestLog: QuietRequestLog;
}

/** Paths to exclude from a global prefix: `app.setGlobalPrefix('api/v1', { exclude: ... })`. */
export const OPERATIONAL_ROUTES = ['metrics', 'health/live', 'health/ready'];

const QUIET_PATHS = /^\/(health\/|metrics(\?|$))/;

@Module({})
export class TelemetryModule implements NestModule {
  constructor(@Inject(TELEMETRY_QUIET) private readonly quiet: QuietSetup) {}

  configure(consumer: MiddlewareConsumer): void {
    if (this.quiet.routes.length === 0) return;
    consumer
      .apply(this.quiet.requestLog)
      .forRoutes(...this.quiet.routes.map((path) => ({ path, method: RequestMethod.ALL })));
  }

  static forRoot(options: TelemetryModuleOptions): DynamicModule {
    const logger = createLogger(
      { serviceName: options.serviceName, logLevel: options.logLevel },
      options.destination,
    );
    const quietRoutes = options.quietRoutes ?? [];
    const requestLog = quietRequestLogger(logger);
    return {
      module: TelemetryModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            // pino-http replaces the logger's serializers for its child loggers.
            serializers: { req: redactingRequestSerializer, err: redactingErrorSerializer },
            autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
            customLogLevel: requestLogLevel(false),
            customProps: (req) => {
              const span = spanOfRequest(req);
              return span ? traceFieldsOf(span) : {};
            },
          },
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          ...(quietRoutes.length > 0
            ? { exclude: quietRoutes.map((path) => ({ path, method: RequestMethod.ALL })) }
            : {}),
        }),
      ],
      controllers: [MetricsController],
      providers: [
        { provide: APP_INTERCEPTOR, useClass: HttpTracingInterceptor },
        { provide: TELEMETRY_QUIET, useValue: { routes: quietRoutes, requestLog } },
        { provide: QUIET_REQUEST_LOG, useValue: requestLog },
      ],
      exports: [QUIET_REQUEST_LOG],
      global: true,
    };
  }
}
