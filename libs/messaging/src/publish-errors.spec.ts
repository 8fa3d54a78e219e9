import { JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';
import { MessagingUnavailableError, PublishRejectedError } from './errors';
import { isTransientNatsError, toPublishError } from './publish-errors';

function apiError(code: number, errCode: number, description: string): JetStreamApiError {
  return new JetStreamApiError({ code, err_code: errCode, description });
}

describe('publish error classification', () => {
  it.each([
    ['timeout', new TimeoutError()],
    ['no responders', new NoRespondersError('x')],
    ['request error (disconnected)', new RequestError('connection disconnected')],
    ['closed connection', new ClosedConnectionError()],
    ['draining connection', new DrainingConnectionError()],
    [
      'JetStream not answering',
      Object.assign(new Error('jetstream is not enabled'), { name: 'JetStreamNotEnabled' }),
    ],
    ['JetStream status error', new JetStreamError('invalid ack response')],
    [
      'JetStream temporarily unavailable',
      apiError(503, 10008, 'JetStream system temporarily unavailable'),
    ],
  ])('%s is transient: MessagingUnavailableError', (_what, err) => {
    expect(isTransientNatsError(err)).toBe(true);
    const mapped = toPublishError(err, 'ns.segment.stored');
    expect(mapped).toBeInstanceOf(MessagingUnavailableError);
    expect(mapped.message).toContain('ns.segment.stored');
    expect(mapped.cause).toBe(err);
  });

  it.each([
    ['message too large', apiError(400, 10054, 'message size exceeds maximum allowed')],
    ['wrong last sequence', apiError(400, 10071, 'wrong last sequence: 3')],
    ['a programming error', new TypeError('boom')],
  ])('%s is permanent: PublishRejectedError', (_what, err) => {
    expect(isTransientNatsError(err)).toBe(false);
    expect(toPublishError(err, 'ns.x')).toBeInstanceOf(PublishRejectedError);
  });

  it('passes our own errors through unchanged', () => {
    const err = new MessagingUnavailableError('down');
    expect(toPublishError(err, 'x')).toBe(err);
  });
});
