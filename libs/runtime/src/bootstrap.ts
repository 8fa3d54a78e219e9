/**
 * The one way a Sessionrec service boots, reports ready and stops:
 *
 *   void runService({ name: 'indexer', module: IndexerModule, database: 'catalog' });
 *
 * Boot: validate the environment (exit naming every bad variable), start telemetry,
 * connect NATS (and converge the streams), PostgreSQL and the object store, bind the
 * service's @OnMessage/@OnRequest handlers to durable consumers, listen on HTTP.
 * Stop (SIGTERM or SIGINT): /health/ready turns 503, consumers stop pulling, handlers in
 * flight finish or are nak'd for redelivery, then connections close and the process
 * exits 0. A stop that overruns SHUTDOWN_TIMEOUT_MS exits 1.
 */
import {
  type DynamicModule,
  Global,
  type INestApplication,
  Module,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, type ServiceName } from '@sessionrec/config';
import { DatabaseModule, type Owner } from '@sessionrec/database';
import { JetStreamServer, MessagingConnection, MessagingModule } from '@sessionrec/messaging';
import {
  HealthModule,
  HealthRegistry,
  startTelemetry,
  TelemetryModule,
  type TelemetryHandle,
} from '@sessionrec/telemetry';
import fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { Logger } from 'nestjs-pino';
import http from 'node:http';
import { DATABASE_OWNER, ReadinessModule } from './readiness.module';
import { loadRuntimeConfig, type RuntimeConfig } from './runtime-config';
import { objectStoreFromConfig, StorageModule } from './storage.module';

export interface ServiceSpec {
  readonly name: ServiceName;
  /** The service's own feature module(s). */
  readonly module: Type<unknown> | DynamicModule;
  /** The database schema owner whose tables the service uses, if any. */
  readonly database?: Owner;
  /** Whether the service reads or writes recording objects. */
  readonly storage?: boolean;
  /**
   * Hot machine-to-machine routes (Nest route paths, thousands a second) whose every
   * success is not news: logged by a light logger, successes at debug.
   */
  readonly quietRoutes?: readonly string[];
  /**
   * Requests served by a Fastify instance of their own, apart from Nest: the HTTP server
   * hands every request that `matches` to it and every other to Nest. The service
   * registers the routes (inject HOT_LANE) while its modules initialise; the lane is
   * ready before the service listens. Its requests skip Nest's hooks, middleware (middie),
   * error handler and body parsers, so its routes bring what they need of those.
   */
  readonly hotLane?: HotLane;
}

export interface HotLane {
  /** Whether the request is the lane's; asked of every request, so keep it cheap. */
  matches(method: string | undefined, url: string | undefined): boolean;
}

/** The hot lane's Fastify instance (`ServiceSpec.hotLane`), for the service's routes. */
export const HOT_LANE = Symbol('HOT_LANE');

/** Request bodies above this are refused with 413 (routes may set a lower limit). */
const BODY_LIMIT = 32 * 1024 * 1024;

export interface RunningService {
  readonly app: INestApplication;
  readonly config: RuntimeConfig;
  readonly url: string;
  /** Stops the service as SIGTERM would. */
  stop(): Promise<void>;
}

/**
 * The environment the service was started with, for its own settings
 * (`@Inject(SERVICE_ENV)`): services read the same variables runService validated, also
 * when a test boots them in-process with an environment of its own.
 */
export const SERVICE_ENV = Symbol('SERVICE_ENV');

@Global()
@Module({})
class ServiceEnvModule {}

@Module({})
class ServiceRootModule {}

function rootModule(
  spec: ServiceSpec,
  cfg: RuntimeConfig,
  env: NodeJS.ProcessEnv,
  lane: FastifyInstance | undefined,
): DynamicModule {
  const imports: NonNullable<DynamicModule['imports']> = [
    {
      module: ServiceEnvModule,
      providers: [
        { provide: SERVICE_ENV, useValue: env },
        { provide: HOT_LANE, useValue: lane },
      ],
      exports: [SERVICE_ENV, HOT_LANE],
    },
    TelemetryModule.forRoot({
      serviceName: spec.name,
      logLevel: cfg.telemetry.LOG_LEVEL,
      ...(spec.quietRoutes ? { quietRoutes: spec.quietRoutes } : {}),
    }),
    HealthModule.forRoot({}),
    MessagingModule.forRoot({
      url: cfg.nats.NATS_URL,
      namespace: cfg.nats.NATS_NAMESPACE,
      serviceName: spec.name,
      replicas: cfg.nats.NATS_REPLICAS,
      ...(cfg.nats.NATS_USER ? { user: cfg.nats.NATS_USER } : {}),
      ...(cfg.nats.NATS_PASSWORD ? { pass: cfg.nats.NATS_PASSWORD } : {}),
      ...(cfg.nats.NATS_TOKEN ? { token: cfg.nats.NATS_TOKEN } : {}),
    }),
  ];
  const providers: NonNullable<DynamicModule['providers']> = [];
  if (spec.database) {
    imports.push(
      DatabaseModule.forRoot({
        url: cfg.databaseUrl,
        owner: spec.database,
        ...(cfg.databaseSchema ? { schema: cfg.databaseSchema } : {}),
      }),
    );
  }
  providers.push({ provide: DATABASE_OWNER, useValue: spec.database });
  if (spec.storage) imports.push(StorageModule.forRoot(objectStoreFromConfig(cfg.storage)));
  imports.push({ module: ReadinessModule, providers, imports: [] });
  imports.push(spec.module);
  return { module: ServiceRootModule, imports };
}

/** Boots the service; on a bad environment prints the problems and exits 1. */
export async function runService(
  spec: ServiceSpec,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService | undefined> {
  let cfg: RuntimeConfig;
  try {
    cfg = loadRuntimeConfig(spec.name, env);
    if (spec.storage) objectStoreFromConfig(cfg.storage);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${spec.name}: ${err.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw err;
  }
  const telemetry = startTelemetry({
    serviceName: spec.name,
    metricsEnabled: cfg.telemetry.METRICS_ENABLED,
    ...(cfg.telemetry.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { otlpEndpoint: cfg.telemetry.OTEL_EXPORTER_OTLP_ENDPOINT }
      : {}),
  });
  try {
    const service = await startService(spec, cfg, telemetry, env);
    handleSignals(service, cfg);
    return service;
  } catch (err) {
    process.stderr.write(`${spec.name}: failed to start: ${(err as Error).message}\n`);
    await telemetry.shutdown().catch(() => undefined);
    process.exitCode = 1;
    return undefined;
  }
}

async function startService(
  spec: ServiceSpec,
  cfg: RuntimeConfig,
  telemetry: TelemetryHandle,
  env: NodeJS.ProcessEnv,
): Promise<RunningService> {
  // The lane's request ids ("hot-1", …) differ from Nest's ("req-1", …) in the logs.
  let laneRequests = 0;
  const lane = spec.hotLane
    ? fastify({ bodyLimit: BODY_LIMIT, genReqId: () => `hot-${(++laneRequests).toString(36)}` })
    : undefined;
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    ...(spec.hotLane && lane ? { serverFactory: serverWithHotLane(spec.hotLane, lane) } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule(spec, cfg, env, lane),
    adapter,
    { bufferLogs: true, abortOnError: false },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  // Message handlers do not inherit the HTTP app's global guards, interceptors and filters:
  // each of them skips non-HTTP contexts anyway, and merely running their chain (rxjs and
  // an AsyncResource per interceptor) cost every consumed message more than its handler.
  app.connectMicroservice(
    { strategy: new JetStreamServer(app.get(MessagingConnection)) },
    { inheritAppConfig: false },
  );
  await app.startAllMicroservices();
  await app.init();
  await lane?.ready();
  await app.listen(cfg.port, cfg.host);
  const url = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${cfg.port}`;
  logger.log(`${spec.name} listening on ${url}`, 'Bootstrap');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      app.get(HealthRegistry).markShuttingDown();
      logger.log(`${spec.name} stopping`, 'Bootstrap');
      await app.close();
      await lane?.close();
      await telemetry.shutdown();
    })();
    return stopping;
  };
  return { app, config: cfg, url, stop };
}

function handleSignals(service: RunningService, cfg: RuntimeConfig): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    const timer = setTimeout(() => {
      process.stderr.write(`${cfg.service}: did not stop within ${cfg.shutdownTimeoutMs} ms\n`);
      process.exit(1);
    }, cfg.shutdownTimeoutMs);
    timer.unref();
    service.stop().then(
      () => {
        clearTimeout(timer);
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`${cfg.service}: error while stopping on ${signal}: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/**
 * The HTTP server Fastify would make for Nest (the same timeouts), handing the hot
 * lane's requests to the lane's instance instead.
 */
function serverWithHotLane(hotLane: HotLane, lane: FastifyInstance): FastifyServerFactory {
  return (nestHandler, options) => {
    const server = http.createServer(options.http ?? {}, (req, res) => {
      if (hotLane.matches(req.method, req.url)) lane.routing(req, res);
      else nestHandler(req, res);
    });
    const timeouts = options as {
      keepAliveTimeout?: unknown;
      requestTimeout?: unknown;
      connectionTimeout?: unknown;
    };
    if (typeof timeouts.keepAliveTimeout === 'number') {
      server.keepAliveTimeout = timeouts.keepAliveTimeout;
    }
    if (typeof timeouts.requestTimeout === 'number') {
      server.requestTimeout = timeouts.requestTimeout;
    }
    if (typeof timeouts.connectionTimeout === 'number') {
      server.setTimeout(timeouts.connectionTimeout);
    }
    return server;
  };
}
