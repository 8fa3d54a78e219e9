/** /agent/v1/recordings...: stop a recording, upload its segments (raw bytes). */
import { Body, Controller, Headers, Param, Post, Put, Res, UseGuards } from '@nestjs/common';
import { agentProtocol } from '@sessionrec/contracts';
import type { FastifyReply } from 'fastify';
import { AgentAuthGuard, CurrentAgent } from '../auth/agent-auth.guard';
import type { AuthenticatedAgent } from '../auth/agent-auth.service';
import { UnsupportedMediaTypeError } from '../http/api-errors';
import { SEGMENT_CONTENT_TYPE } from '../http/segment-body-parser';
import { decode, recordingParams, segmentParams } from '../http/validate';
import { LifecycleService } from './lifecycle.service';
import { SegmentService, type SegmentResult } from './segment.service';

const { AGENT_BASE_PATH } = agentProtocol;

@Controller(`${AGENT_BASE_PATH}/recordings`)
@UseGuards(AgentAuthGuard)
export class RecordingsController {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly segments: SegmentService,
  ) {}

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

  @Put(':recordingId/segments/:seq')
  async upload(
    @CurrentAgent() agent: AuthenticatedAgent,
    @Param() params: unknown,
    @Headers() headers: Record<string, unknown>,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SegmentResult> {
    const { recordingId, seq } = decode(segmentParams, params, 'params');
    const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : '';
    if (contentType.split(';')[0]?.trim().toLowerCase() !== SEGMENT_CONTENT_TYPE) {
      throw new UnsupportedMediaTypeError(`segments must be sent as ${SEGMENT_CONTENT_TYPE}`);
    }
    const meta = decode(agentProtocol.segmentUploadHeaders, headers, 'headers');
    const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const result = await this.segments.upload(agent.agentId, recordingId, seq, meta, bytes);
    void reply.status(result.created ? 201 : 200);
    return result;
  }
}
