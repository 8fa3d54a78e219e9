/** Sorts nats.js failures into our named errors: transient (retry later) or rejected. */
import { JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';
import { errorMessage, MessagingUnavailableError, PublishRejectedError } from './errors';

/** True when waiting and trying again can help. */
export function isTransientNatsError(err: unknown): boolean {
  return (
    err instanceof TimeoutError ||
    err instanceof NoRespondersError ||
    err instanceof ClosedConnectionError ||
    err instanceof DrainingConnectionError ||
    err instanceof RequestError ||
    (err instanceof JetStreamError && !(err instanceof JetStreamApiError)) ||
    (err instanceof JetStreamApiError && err.status === 503) ||
    (err instanceof Error && err.name === 'JetStreamNotEnabled')
  );
}

export function toPublishError(err: unknown, subject: string): Error {
  if (err instanceof MessagingUnavailableError || err instanceof PublishRejectedError) return err;
  const what = `publish to ${subject}`;
  if (isTransientNatsError(err)) {
    return new MessagingUnavailableError(`${what}: JetStream unavailable: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  return new PublishRejectedError(`${what} rejected: ${errorMessage(err)}`, { cause: err });
}
