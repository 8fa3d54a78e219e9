/**
 * The api service: the REST API for people and automation (sign-in, search, playback,
 * export, share links, the OpenAPI document) and the web console. The platform around it
 * (config, telemetry, health, NATS, PostgreSQL, object store and graceful shutdown)
 * comes from libs/runtime; catalogue data comes only from the indexer over NATS.
 */
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AgentsModule } from './agents/agents.module';
import { AuthModule } from './auth/auth.module';
import { ApiConfigModule } from './config/api-config.module';
import { ConsoleModule } from './console/console.module';
import type { ApiConfig } from './config/api-config';
import { DocsModule } from './docs/docs.module';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { PoliciesModule } from './policies/policies.module';
import { RecordingsModule } from './recordings/recordings.module';
import { RecordingControlModule } from './sessions/recording-control.module';
import { SessionActionsModule } from './sessions/session-actions.module';
import { SessionsModule } from './sessions/sessions.module';
import { SharesModule } from './shares/shares.module';

@Module({})
export class ApiModule {
  /** Reads the api settings from the environment unless given (tests). */
  static forRoot(config?: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ApiConfigModule.forRoot(config),
        AuthModule,
        AgentsModule,
        SessionsModule,
        RecordingsModule,
        PoliciesModule,
        RecordingControlModule,
        SessionActionsModule,
        SharesModule,
        DocsModule,
        ConsoleModule.forRoot(),
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
