/**
 * The api's only way into the catalogue: questions to the indexer over NATS
 * request/reply (`catalog.*`), never its tables. An indexer that does not answer in time,
 * or NATS being away, becomes a 503 the caller can retry.
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
import { ServiceUnavailableError, ValidationError } from '../http/api-errors';

type CatalogRequest = Extract<RequestType, `catalog.${string}`>;

@Injectable()
export class CatalogClient {
  constructor(
    private readonly messaging: Messaging,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async ask<T extends CatalogRequest>(type: T, request: RequestOf<T>): Promise<ReplyOf<T>> {
    try {
      return await this.messaging.request(type, request, {
        timeoutMs: this.config.API_CATALOG_TIMEOUT_MS,
      });
    } catch (err) {
      if (err instanceof RequestTimeoutError) {
        throw new ServiceUnavailableError('the catalogue (indexer) did not answer in time');
      }
      if (err instanceof MessagingUnavailableError) {
        throw new ServiceUnavailableError('the message bus is unavailable');
      }
      if (err instanceof RequestFailedError) {
        // The indexer refused the question itself (a cursor it cannot read, for example).
        if (err.code === 'invalid-request') throw new ValidationError(err.remoteMessage);
        throw new ServiceUnavailableError('the catalogue (indexer) could not answer');
      }
      throw err;
    }
  }
}
