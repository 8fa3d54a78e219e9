/**
 * The agent protocol over HTTP (`/agent/v1`): enrolment, session and recording
 * lifecycle (Nest controllers), segment upload, event and metric batches (hot routes on
 * the hot lane, a Fastify instance apart from Nest: see hot-routes.ts); with its error
 * format and the in-flight limit in front of every route.
 */
import {
  Inject,
  Logger,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HOT_LANE } from '@sessionrec/runtime';
import { QUIET_REQUEST_LOG, type QuietRequestLog } from '@sessionrec/telemetry';
import type { FastifyInstance } from 'fastify';
import { AgentAuthService } from '../auth/agent-auth.service';
import { AuthModule } from '../auth/auth.module';
import { AgentApiExceptionFilter } from '../http/api-exception.filter';
import { InflightLimiter } from '../http/inflight-limiter';
import { InflightMiddleware } from '../http/inflight.middleware';
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
    @Inject(HOT_LANE) private readonly lane: FastifyInstance | undefined,
    private readonly limiter: InflightLimiter,
    private readonly auth: AgentAuthService,
    private readonly segments: SegmentService,
    private readonly batches: BatchService,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    @Inject(QUIET_REQUEST_LOG) private readonly requestLog: QuietRequestLog,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(InflightMiddleware)
      .forRoutes(EnrolController, SessionsController, RecordingsController, PolicyController);
  }

  onModuleInit(): void {
    if (!this.lane) {
      throw new Error(
        'ingest was started without its hot lane: start it with INGEST_SERVICE ' +
          '(services/ingest/src/ingest-service.ts)',
      );
    }
    registerHotRoutes(this.lane, {
      limiter: this.limiter,
      retryAfterSeconds: this.config.INGEST_RETRY_AFTER_SECONDS,
      auth: this.auth,
      segments: this.segments,
      batches: this.batches,
      requestLog: this.requestLog,
      logger: new Logger('AgentApi'),
    });
  }
}
