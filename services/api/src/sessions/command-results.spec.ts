import { randomUUID } from 'node:crypto';
import type { MessagingConnection } from '@sessionrec/messaging';
import { CommandResults } from './command-results';

describe('CommandResults', () => {
  const sessionId = randomUUID();
  const issuedAt = '2030-05-06T07:00:00.000Z';
  const expiresAt = '2030-05-06T07:01:00.000Z';

  function sent(results: CommandResults, commandId = randomUUID()) {
    results.recordSent({
      v: 1,
      commandId,
      agentId: randomUUID(),
      sessionId,
      action: 'lock',
      params: {},
      issuedAt,
      expiresAt,
      issuedBy: 'admin',
    });
    return commandId;
  }

  it('reports a command with no answer as sent until its expiry has passed, then timed out', () => {
    const results = new CommandResults({} as MessagingConnection);
    const id = sent(results);
    expect(results.status(sessionId, id, Date.parse(expiresAt))?.status).toBe('sent');
    expect(results.status(sessionId, id, Date.parse(expiresAt) + 60_000)).toMatchObject({
      status: 'timed-out',
      detail: 'no answer from the agent',
    });
  });

  it('knows a command only for its own session, and forgets the oldest beyond its bound', () => {
    const results = new CommandResults({} as MessagingConnection);
    const first = sent(results);
    expect(results.status(randomUUID(), first)).toBeUndefined();
    for (let i = 0; i < 10_000; i++) sent(results);
    expect(results.status(sessionId, first)).toBeUndefined();
  });
});
