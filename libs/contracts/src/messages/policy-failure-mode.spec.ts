import { evaluateWithFailureMode, type PolicyAsker } from './policy-failure-mode';
import type { PolicyEvaluateRequest } from './policy-rpc';

const request: PolicyEvaluateRequest = {
  v: 1,
  sessionId: '00000000-0000-4000-8000-000000000001',
  agentId: '00000000-0000-4000-8000-000000000002',
  user: 'alice',
  groups: [],
  host: 'h',
  protocol: 'terminal',
  at: '2026-01-05T10:00:00Z',
};

describe('evaluateWithFailureMode', () => {
  it('returns the answer when the policy service replies', async () => {
    const reply = { v: 1 as const, decision: 'record' as const, ruleId: 'r1', policyVersion: 4 };
    const asker: PolicyAsker = { request: () => Promise.resolve(reply) };
    await expect(evaluateWithFailureMode(asker, request, 'do-not-record', 100)).resolves.toEqual({
      reply,
      failed: undefined,
    });
  });

  it.each(['record', 'do-not-record'] as const)('falls back to %s on failure', async (mode) => {
    const err = new Error('timeout');
    const asker: PolicyAsker = { request: () => Promise.reject(err) };
    await expect(evaluateWithFailureMode(asker, request, mode, 100)).resolves.toEqual({
      reply: { v: 1, decision: mode, ruleId: 'failure-mode', policyVersion: 0 },
      failed: err,
    });
  });
});
