import { PermanentError } from './errors';
import { decideOnFailure } from './failure-policy';

const backoff = [100, 200, 400];

describe('decideOnFailure', () => {
  it('naks a transient failure with the backoff of its delivery', () => {
    expect(decideOnFailure(new Error('db down'), 1, 5, backoff)).toEqual({
      action: 'nak',
      delayMs: 100,
    });
    expect(decideOnFailure(new Error('db down'), 4, 5, backoff)).toEqual({
      action: 'nak',
      delayMs: 400,
    });
  });

  it('dead-letters on the last allowed delivery with the last error', () => {
    expect(decideOnFailure(new Error('db down'), 5, 5, backoff)).toEqual({
      action: 'dead-letter',
      reason: 'max deliveries exceeded: db down',
    });
  });

  it('dead-letters a PermanentError at once', () => {
    expect(decideOnFailure(new PermanentError('unknown recording'), 1, 5, backoff)).toEqual({
      action: 'dead-letter',
      reason: 'permanent error: unknown recording',
    });
  });

  it('describes errors that are not Error objects', () => {
    expect(decideOnFailure({ status: 'error', message: 'Forbidden' }, 2, 2, backoff)).toEqual({
      action: 'dead-letter',
      reason: 'max deliveries exceeded: Forbidden',
    });
    expect(decideOnFailure('text', 2, 2, backoff)).toMatchObject({
      reason: 'max deliveries exceeded: text',
    });
  });
});
