/**
 * The agent protocol over HTTP (`/agent/v1`): enrolment, session and recording
 * lifecycle (Nest controllers), segment upload, event and metric batches (hot routes on
 * Fastify itself); with its error format, the raw segment body parser and the in-flight
 * limit in front of every route.
 */
import {
  Inject,
  Logger,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AgentAuthService } from '../auth/agent-auth.service';
import { AuthModule } from '../auth/auth.module';
import { AgentApiExceptionFilter } from '../http/api-exception.filter';
import { InflightLimiter } from '../http/inflight-limiter';
import { InflightMiddleware } from '../http/inflight.middleware';
import { registerSegmentBodyParser } from '../http/segment-body-parser';
import { INGEST_CONFIG, type IngestConfig } from '../ingest-config';
import { BatchService } from './batch.service';
import { EnrolController } from './enrol.controller';
import { EnrolService } from './enrol.service';
import { registerHotRoutes } from './hot-routes';
import { LifecycleService } from './lifecycle.service';
import { PolicyController } from './policy.controller';
import { PolicyDecisions } from './policy-decisions.service';
import { RecordingsController } from './recordings.controller';
import { RecordsRepository } from './records.repository';
import { SecurityEvents } from './security-events';
import { SegmentService } from './segment.service';
import { SessionsController } from './sessions.controller';

@Module({
  imports: [AuthModule],
  controllers: [EnrolController, SessionsController, RecordingsController, PolicyController],
  providers: [
    { provide: APP_FILTER, useClass: AgentApiExceptionFilter },
    {
      // One bound for the whole process: Nest routes and hot routes share it.
      provide: InflightLimiter,
      useFactory: (config: IngestConfig) => new InflightLimiter(config.INGEST_MAX_INFLIGHT),
      inject: [INGEST_CONFIG],
    },
    EnrolService,
    LifecycleService,
    PolicyDecisions,
    BatchService,
    SegmentService,
    SecurityEvents,
    RecordsRepository,
  ],
})
export class AgentApiModule implements NestModule, OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly limiter: InflightLimiter,
    private readonly auth: AgentAuthService,
    private readonly segments: SegmentService,
    private readonly batches: BatchService,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(InflightMiddleware)
      .forRoutes(EnrolController, SessionsController, RecordingsController, PolicyController);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    registerSegmentBodyParser(fastify);
    registerHotRoutes(fastify, {
      limiter: this.limiter,
      retryAfterSeconds: this.config.INGEST_RETRY_AFTER_SECONDS,
      auth: this.auth,
      segments: this.segments,
      batches: this.batches,
      logger: new Logger('AgentApi'),
    });
  }
}
