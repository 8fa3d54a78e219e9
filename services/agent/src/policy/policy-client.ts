/**
 * The agent's policy questions: "is this session recorded, and how?" at session start,
 * on focus change and when ingest says a policy changed. Ingest asks the policy service
 * (and applies its own failure mode when policy is down); when ingest itself cannot be
 * reached the agent's configured failure mode decides, and the answer says so.
 */
import {
  agentProtocol,
  type PolicyDetectionEvaluateReply,
  type PolicyEvaluateReply,
} from '@sessionrec/contracts';
import type { IngestClient } from '../http/ingest-client';

export type AgentFailureMode = 'record' | 'do-not-record';
export const AGENT_FAILURE_MODE_RULE_ID = 'agent-failure-mode';

export type PolicyQuestion = agentProtocol.PolicyEvaluateRequest;

export interface PolicyAnswer {
  readonly reply: PolicyEvaluateReply;
  /** Why the failure mode was used, when it was. */
  readonly fallbackReason?: string;
}

export class PolicyClient {
  constructor(
    private readonly client: Pick<IngestClient, 'send'>,
    private readonly failureMode: AgentFailureMode,
  ) {}

  async evaluate(question: PolicyQuestion): Promise<PolicyAnswer> {
    const outcome = await this.client.send({
      method: 'POST',
      path: '/policy/evaluate',
      json: question,
    });
    if (outcome.kind === 'ok') {
      const parsed = agentProtocol.policyEvaluateResponse.safeParse(outcome.body);
      if (parsed.success) return { reply: parsed.data };
      return this.fallback(
        `ingest answered an invalid decision: ${parsed.error.issues[0]?.message}`,
      );
    }
    return this.fallback(
      outcome.kind === 'retry'
        ? `ingest unavailable (${outcome.reason})`
        : `ingest refused the question (${outcome.status} ${outcome.code}: ${outcome.reason})`,
    );
  }

  /** The detection settings for a session, or undefined when they cannot be learnt now. */
  async detection(
    question: agentProtocol.DetectionRequest,
  ): Promise<PolicyDetectionEvaluateReply | undefined> {
    const outcome = await this.client.send({
      method: 'POST',
      path: '/policy/detection',
      json: question,
    });
    if (outcome.kind !== 'ok') return undefined;
    const parsed = agentProtocol.detectionResponse.safeParse(outcome.body);
    return parsed.success ? parsed.data : undefined;
  }

  private fallback(reason: string): PolicyAnswer {
    return {
      reply: {
        v: 1,
        decision: this.failureMode,
        ruleId: AGENT_FAILURE_MODE_RULE_ID,
        policyVersion: 0,
      },
      fallbackReason: reason,
    };
  }
}
