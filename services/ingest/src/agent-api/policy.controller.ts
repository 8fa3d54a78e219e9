/**
 * /agent/v1/policy/*: the recording decision for a starting session or a focus change
 * (`evaluate`), and which events the host reports (`detection`).
 */
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  agentProtocol,
  type PolicyDetectionEvaluateReply,
  type PolicyEvaluateReply,
} from '@sessionrec/contracts';
import { AgentAuthGuard, CurrentAgent } from '../auth/agent-auth.guard';
import type { AuthenticatedAgent } from '../auth/agent-auth.service';
import { decode } from '../http/validate';
import { PolicyDecisions } from './policy-decisions.service';

@Controller(`${agentProtocol.AGENT_BASE_PATH}/policy`)
@UseGuards(AgentAuthGuard)
export class PolicyController {
  constructor(private readonly decisions: PolicyDecisions) {}

  @Post('evaluate')
  @HttpCode(200)
  async evaluate(
    @CurrentAgent() agent: AuthenticatedAgent,
    @Body() body: unknown,
  ): Promise<PolicyEvaluateReply> {
    const question = decode(agentProtocol.policyEvaluateRequest, body, 'body');
    return this.decisions.evaluate(agent.agentId, question);
  }

  @Post('detection')
  @HttpCode(200)
  async detection(@Body() body: unknown): Promise<PolicyDetectionEvaluateReply> {
    return this.decisions.detection(decode(agentProtocol.detectionRequest, body, 'body'));
  }
}
