/**
 * The agent protocol over HTTP (`/agent/v1`): enrolment, session and recording
 * lifecycle, segment upload, event and metric batches; with its error format, the raw
 * segment body parser and the in-flight limit in front of every route.
 */
import {
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AuthModule } from '../auth/auth.module';
import { AgentApiExceptionFilter } from '../http/api-exception.filter';
import { InflightMiddleware } from '../http/inflight.middleware';
import { registerSegmentBodyParser } from '../http/segment-body-parser';
import { BatchService } from './batch.service';
import { EnrolController } from './enrol.controller';
import { EnrolService } from './enrol.service';
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
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(InflightMiddleware)
      .forRoutes(EnrolController, SessionsController, RecordingsController, PolicyController);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    registerSegmentBodyParser(fastify);
  }
}
