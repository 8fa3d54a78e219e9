/**
 * What an asker (ingest, agents' gateway) does when the policy service cannot answer in
 * time: the configured failure mode decides, and the reply says so (`ruleId:
 * 'failure-mode'`, version 0) so the recording stores why it was or was not made.
 */
import type { PolicyEvaluateReply, PolicyEvaluateRequest } from './policy-rpc';

export type PolicyFailureMode = 'record' | 'do-not-record';
export const FAILURE_MODE_RULE_ID = 'failure-mode';

/** The part of `Messaging` this needs, so the helper stays free of NATS. */
export interface PolicyAsker {
  request(
    type: 'policy.evaluate',
    payload: PolicyEvaluateRequest,
    opts: { timeoutMs: number },
  ): Promise<PolicyEvaluateReply>;
}

export function failureModeDecision(mode: PolicyFailureMode): PolicyEvaluateReply {
  return { v: 1, decision: mode, ruleId: FAILURE_MODE_RULE_ID, policyVersion: 0 };
}

/** Asks for a decision; on timeout or any failure answers with the failure mode. */
export async function evaluateWithFailureMode(
  messaging: PolicyAsker,
  request: PolicyEvaluateRequest,
  mode: PolicyFailureMode,
  timeoutMs: number,
): Promise<{ reply: PolicyEvaluateReply; failed: unknown }> {
  try {
    return {
      reply: await messaging.request('policy.evaluate', request, { timeoutMs }),
      failed: undefined,
    };
  } catch (err) {
    return { reply: failureModeDecision(mode), failed: err };
  }
}
