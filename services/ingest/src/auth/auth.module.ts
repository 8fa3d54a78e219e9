/**
 * Agent authentication for everything in ingest that an agent calls: the HTTP routes
 * and the control WebSocket import this module for AgentAuthService and AgentAuthGuard.
 */
import { Module } from '@nestjs/common';
import { AgentAuthGuard } from './agent-auth.guard';
import { AgentAuthService } from './agent-auth.service';
import { AgentRepository } from './agent-repository';

@Module({
  providers: [AgentRepository, AgentAuthService, AgentAuthGuard],
  exports: [AgentRepository, AgentAuthService, AgentAuthGuard],
})
export class AuthModule {}
