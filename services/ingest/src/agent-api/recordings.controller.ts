/** /agent/v1/recordings/{id}/stop. Segment upload is a hot route on Fastify itself (hot-routes.ts). */
import { Body, Controller, Param, Post, Res, UseGuards } from '@nestjs/common';
import { agentProtocol } from '@sessionrec/contracts';
import type { FastifyReply } from 'fastify';
import { AgentAuthGuard, CurrentAgent } from '../auth/agent-auth.guard';
import type { AuthenticatedAgent } from '../auth/agent-auth.service';
import { decode, recordingParams } from '../http/validate';
import { LifecycleService } from './lifecycle.service';

const { AGENT_BASE_PATH } = agentProtocol;

@Controller(`${AGENT_BASE_PATH}/recordings`)
@UseGuards(AgentAuthGuard)
export class RecordingsController {
  constructor(private readonly lifecycle: LifecycleService) {}

  @Post(':recordingId/stop')
  async stop(
    @CurrentAgent() agent: AuthenticatedAgent,
    @Param() params: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ recordingId: string; created: boolean }> {
    const { recordingId } = decode(recordingParams, params, 'params');
    const request = decode(agentProtocol.recordingStopRequest, body, 'body');
    const { created } = await this.lifecycle.stopRecording(agent.agentId, recordingId, request);
    void reply.status(created ? 201 : 200);
    return { recordingId, created };
  }
}
