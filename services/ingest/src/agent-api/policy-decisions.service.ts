/**
 * Asks the policy service whether (and how) a session is recorded. The agent cannot
 * reach NATS, so ingest asks on its behalf; when policy does not answer in time the
 * configured failure mode decides and the reply says so (`ruleId: 'failure-mode'`).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type agentProtocol,
  evaluateWithFailureMode,
  type PolicyDetectionEvaluateReply,
  type PolicyEvaluateReply,
} from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { ServiceUnavailableError } from '../http/api-errors';
import { INGEST_CONFIG, type IngestConfig } from '../ingest-config';

@Injectable()
export class PolicyDecisions {
  private readonly logger = new Logger('PolicyDecisions');

  constructor(
    private readonly messaging: Messaging,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
  ) {}

  async evaluate(
    agentId: string,
    question: agentProtocol.PolicyEvaluateRequest,
  ): Promise<PolicyEvaluateReply> {
    const { reply, failed } = await evaluateWithFailureMode(
      this.messaging,
      {
        v: 1,
        agentId,
        sessionId: question.sessionId,
        user: question.user,
        groups: question.groups,
        host: question.host,
        ...(question.clientAddress ? { clientAddress: question.clientAddress } : {}),
        protocol: question.protocol,
        ...(question.application ? { application: question.application } : {}),
        at: question.at,
      },
      this.config.POLICY_FAILURE_MODE,
      this.config.POLICY_EVALUATE_TIMEOUT_MS,
    );
    if (failed !== undefined) {
      this.logger.warn(
        `policy did not answer for session ${question.sessionId} (${failed instanceof Error ? failed.message : 'no answer'}); failure mode ${reply.decision}`,
      );
    }
    return reply;
  }

  /** Which events the agent's host reports; 503 (the agent keeps what it knew) without policy. */
  async detection(question: agentProtocol.DetectionRequest): Promise<PolicyDetectionEvaluateReply> {
    try {
      return await this.messaging.request(
        'policy.detection.evaluate',
        { v: 1, user: question.user, groups: question.groups, host: question.host },
        { timeoutMs: this.config.POLICY_EVALUATE_TIMEOUT_MS },
      );
    } catch (err) {
      this.logger.warn(
        `policy did not answer a detection question (${err instanceof Error ? err.message : 'no answer'})`,
      );
      throw new ServiceUnavailableError('the policy service did not answer', 5);
    }
  }
}
