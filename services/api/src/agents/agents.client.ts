/**
 * The api's way to the agents, which ingest owns: `agents.*` over NATS request/reply. No
 * answer in time (or NATS away) becomes a 503 the caller can retry.
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

type AgentsRequest = Extract<RequestType, `agents.${string}`>;

@Injectable()
export class AgentsClient {
  constructor(
    private readonly messaging: Messaging,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async ask<T extends AgentsRequest>(type: T, request: RequestOf<T>): Promise<ReplyOf<T>> {
    try {
      return await this.messaging.request(type, request, {
        timeoutMs: this.config.API_CATALOG_TIMEOUT_MS,
      });
    } catch (err) {
      if (err instanceof RequestTimeoutError || err instanceof RequestFailedError) {
        throw new ServiceUnavailableError('the agent gateway (ingest) did not answer');
      }
      if (err instanceof MessagingUnavailableError) {
        throw new ServiceUnavailableError('the message bus is unavailable');
      }
      throw err;
    }
  }
}
