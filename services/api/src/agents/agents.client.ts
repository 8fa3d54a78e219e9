/**
 * The api's way to the agents, which ingest owns: `agents.*` over NATS request/reply. No
 * answer in time (or NATS away) becomes a 503 the caller can retry.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { ReplyOf, RequestOf, RequestType } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { askService } from '../http/ask-service';

type AgentsRequest = Extract<RequestType, `agents.${string}`>;

@Injectable()
export class AgentsClient {
  constructor(
    private readonly messaging: Messaging,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  ask<T extends AgentsRequest>(type: T, request: RequestOf<T>): Promise<ReplyOf<T>> {
    return askService(
      this.messaging,
      type,
      request,
      this.config.API_CATALOG_TIMEOUT_MS,
      'the agent gateway (ingest)',
    );
  }
}
