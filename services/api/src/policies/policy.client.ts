/**
 * The api's way to every policy kind: questions to the policy service over NATS
 * request/reply (`policy.*`), never its tables. No answer in time becomes a 503.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { ReplyOf, RequestOf, RequestType } from '@sessionrec/contracts';
import {
  Messaging,
  MessagingUnavailableError,
  RequestFailedError,
  RequestTimeoutError,
} from '@sessionrec/messaging';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { ServiceUnavailableError } from '../http/api-errors';

type PolicyRequest = Extract<RequestType, `policy.${string}`>;

@Injectable()
export class PolicyClient {
  constructor(
    private readonly messaging: Messaging,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async ask<T extends PolicyRequest>(type: T, request: RequestOf<T>): Promise<ReplyOf<T>> {
    try {
      return await this.messaging.request(type, request, {
        timeoutMs: this.config.API_CATALOG_TIMEOUT_MS,
      });
    } catch (err) {
      if (err instanceof RequestTimeoutError || err instanceof RequestFailedError) {
        throw new ServiceUnavailableError('the policy service did not answer');
      }
      if (err instanceof MessagingUnavailableError) {
        throw new ServiceUnavailableError('the message bus is unavailable');
      }
      throw err;
    }
  }
}
