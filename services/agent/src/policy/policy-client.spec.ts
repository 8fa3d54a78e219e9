import type { Outcome } from '../http/ingest-client';
import { AGENT_FAILURE_MODE_RULE_ID, PolicyClient } from './policy-client';

const question = {
  sessionId: '6f1c1d0e-5a43-4c53-9d47-5f2f4f3a9b10',
  user: 'alice',
  groups: [],
  host: 'web-01',
  protocol: 'terminal' as const,
  at: '2026-11-25T08:00:00.000Z',
};

const answering = (outcome: Outcome) => ({ send: () => Promise.resolve(outcome) });

describe('PolicyClient', () => {
  it("returns ingest's decision", async () => {
    const reply = { v: 1, decision: 'record', ruleId: 'admins', policyVersion: 3 };
    const client = new PolicyClient(
      answering({ kind: 'ok', status: 200, body: reply }),
      'do-not-record',
    );
    expect(await client.evaluate(question)).toEqual({ reply });
  });

  it('applies its failure mode when ingest cannot be reached, and says why', async () => {
    const client = new PolicyClient(
      answering({ kind: 'retry', status: null, reason: 'ECONNREFUSED' }),
      'record',
    );
    const answer = await client.evaluate(question);
    expect(answer.reply).toEqual({
      v: 1,
      decision: 'record',
      ruleId: AGENT_FAILURE_MODE_RULE_ID,
      policyVersion: 0,
    });
    expect(answer.fallbackReason).toMatch(/ECONNREFUSED/);
  });

  it('does not trust a malformed answer', async () => {
    const client = new PolicyClient(
      answering({ kind: 'ok', status: 200, body: { decision: 'record-everything' } }),
      'do-not-record',
    );
    const answer = await client.evaluate(question);
    expect(answer.reply.decision).toBe('do-not-record');
    expect(answer.fallbackReason).toMatch(/invalid decision/);
  });

  it('falls back on a refusal too', async () => {
    const client = new PolicyClient(
      answering({ kind: 'rejected', status: 400, code: 'invalid_request', reason: 'bad user' }),
      'do-not-record',
    );
    expect((await client.evaluate(question)).fallbackReason).toMatch(/400 invalid_request/);
  });
});
