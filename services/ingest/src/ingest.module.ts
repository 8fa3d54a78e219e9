/**
 * The ingest service: the agent gateway: enrolment, sessions, segment upload, events and the control WebSocket.
 * The platform around it (config, telemetry, health, NATS, PostgreSQL, object store and
 * graceful shutdown) comes from libs/runtime.
 */
import { Module } from '@nestjs/common';
import { AgentApiModule } from './agent-api/agent-api.module';
import { AgentsModule } from './agents/agents.module';
import { AuthModule } from './auth/auth.module';
import { ControlModule } from './control/control.module';
import { IngestConfigModule } from './ingest-config.module';

@Module({
  imports: [IngestConfigModule.forRoot(), AuthModule, AgentApiModule, ControlModule, AgentsModule],
})
export class IngestModule {}
