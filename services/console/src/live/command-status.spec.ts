import { describe, expect, it } from '@jest/globals';
import type { CommandStatus } from '../api/types';
import { describeCommand, followCommand, MAX_POLLS } from './command-status';

const base: CommandStatus = {
  commandId: 'c',
  sessionId: 's',
  action: 'lock',
  issuedAt: '2030-01-01T00:00:00.000Z',
  issuedBy: 'admin',
  status: 'sent',
};

describe('command status', () => {
  it('says what the agent answered', () => {
    expect(describeCommand('Lock', base)).toBe('Lock: sent, waiting for the agent…');
    expect(describeCommand('Lock', { ...base, status: 'acked', detail: 'screen locked' })).toBe(
      'Lock: done by the agent (screen locked)',
    );
    expect(describeCommand('Lock', { ...base, status: 'failed', detail: 'no display' })).toBe(
      'Lock: the agent could not do it (no display)',
    );
    expect(describeCommand('Lock', { ...base, status: 'timed-out' })).toBe(
      'Lock: no answer from the agent in time',
    );
  });

  it('asks until the answer is final, reporting each state', async () => {
    const answers: CommandStatus['status'][] = ['sent', 'sent', 'acked'];
    const seen: string[] = [];
    const final = await followCommand(
      () => Promise.resolve({ ...base, status: answers.shift() ?? 'sent' }),
      (s) => seen.push(s.status),
      () => Promise.resolve(),
    );
    expect(final?.status).toBe('acked');
    expect(seen).toEqual(['sent', 'sent', 'acked']);
  });

  it('gives up after a bounded number of questions, and stops when cancelled', async () => {
    let asked = 0;
    const never = () => {
      asked++;
      return Promise.resolve(base);
    };
    expect(
      await followCommand(
        never,
        () => undefined,
        () => Promise.resolve(),
      ),
    ).toBeUndefined();
    expect(asked).toBe(MAX_POLLS);
    asked = 0;
    await followCommand(
      never,
      () => undefined,
      () => Promise.resolve(),
      () => asked >= 2,
    );
    expect(asked).toBe(2);
  });
});
