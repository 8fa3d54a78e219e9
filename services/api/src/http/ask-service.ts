/**
 * A question to another service over NATS request/reply, as the api's clients ask it: no
 * answer in time, a failed answer, or NATS being away becomes a 503 naming who did not
 * answer, which the caller can retry.
 */
import type { ReplyOf, RequestOf, RequestType } from '@sessionrec/contracts';
import {
  type Messaging,
  MessagingUnavailableError,
  RequestFailedError,
  RequestTimeoutError,
} from '@sessionrec/messaging';
import { ServiceUnavailableError } from './api-errors';

export async function askService<T extends RequestType>(
  messaging: Messaging,
  type: T,
  request: RequestOf<T>,
  timeoutMs: number,
  who: string,
): Promise<ReplyOf<T>> {
  try {
    return await messaging.request(type, request, { timeoutMs });
  } catch (err) {
    if (err instanceof RequestTimeoutError || err instanceof RequestFailedError) {
      throw new ServiceUnavailableError(`${who} did not answer`);
    }
    if (err instanceof MessagingUnavailableError) {
      throw new ServiceUnavailableError('the message bus is unavailable');
    }
    throw err;
  }
}
