/** Agents and enrolment tokens, asked of ingest (which owns them). */
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AgentsClient } from './agents.client';
import { AgentsController } from './agents.controller';

@Module({ imports: [AuditModule], controllers: [AgentsController], providers: [AgentsClient] })
export class AgentsModule {}
