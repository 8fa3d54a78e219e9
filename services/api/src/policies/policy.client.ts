/**
 * The api's way to every policy kind: questions to the policy service over NATS
 * request/reply (`policy.*`), never its tables. No answer in time becomes a 503.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { ReplyOf, RequestOf, RequestType } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { askService } from '../http/ask-service';

type PolicyRequest = Extract<RequestType, `policy.${string}`>;

@Injectable()
export class PolicyClient {
  constructor(
    private readonly messaging: Messaging,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  ask<T extends PolicyRequest>(type: T, request: RequestOf<T>): Promise<ReplyOf<T>> {
    return askService(
      this.messaging,
      type,
      request,
      this.config.API_CATALOG_TIMEOUT_MS,
      'the policy service',
    );
  }
}
