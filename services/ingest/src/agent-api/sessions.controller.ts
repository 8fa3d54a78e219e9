/**
 * /agent/v1/sessions...: session start and end, recording start. 201 when something new
 * was recorded, 200 when the request repeated one already applied. Event and metric
 * batches are hot routes on Fastify itself (hot-routes.ts).
 */
import { Body, Controller, Param, Post, Res, UseGuards } from '@nestjs/common';
import { agentProtocol } from '@sessionrec/contracts';
import type { FastifyReply } from 'fastify';
import { AgentAuthGuard, CurrentAgent } from '../auth/agent-auth.guard';
import type { AuthenticatedAgent } from '../auth/agent-auth.service';
import { decode, sessionParams } from '../http/validate';
import { LifecycleService } from './lifecycle.service';

const { AGENT_BASE_PATH } = agentProtocol;

@Controller(`${AGENT_BASE_PATH}/sessions`)
@UseGuards(AgentAuthGuard)
export class SessionsController {
  constructor(private readonly lifecycle: LifecycleService) {}

  @Post()
  async start(
    @CurrentAgent() agent: AuthenticatedAgent,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ sessionId: string; created: boolean }> {
    const request = decode(agentProtocol.sessionStartRequest, body, 'body');
    const { created } = await this.lifecycle.startSession(agent.agentId, request);
    void reply.status(created ? 201 : 200);
    return { sessionId: request.sessionId, created };
  }

  @Post(':sessionId/end')
  async end(
    @CurrentAgent() agent: AuthenticatedAgent,
    @Param() params: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ sessionId: string; created: boolean }> {
    const { sessionId } = decode(sessionParams, params, 'params');
    const request = decode(agentProtocol.sessionEndRequest, body, 'body');
    const { created } = await this.lifecycle.endSession(agent.agentId, sessionId, request);
    void reply.status(created ? 201 : 200);
    return { sessionId, created };
  }

  @Post(':sessionId/recordings')
  async startRecording(
    @CurrentAgent() agent: AuthenticatedAgent,
    @Param() params: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ recordingId: string; created: boolean }> {
    const { sessionId } = decode(sessionParams, params, 'params');
    const request = decode(agentProtocol.recordingStartRequest, body, 'body');
    const { created } = await this.lifecycle.startRecording(agent.agentId, sessionId, request);
    void reply.status(created ? 201 : 200);
    return { recordingId: request.recordingId, created };
  }
}
