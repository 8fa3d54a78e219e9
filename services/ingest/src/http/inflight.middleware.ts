/**
 * Applies the InflightLimiter to the agent routes that are Nest controllers (the hot
 * routes apply the same limiter themselves). It runs in Fastify's onRequest stage
 * (Nest middleware through middie), before the body is read, and releases the slot when
 * the response is finished or the connection drops.
 */
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { INGEST_CONFIG, type IngestConfig } from '../ingest-config';
import { InflightLimiter } from './inflight-limiter';

@Injectable()
export class InflightMiddleware implements NestMiddleware {
  private readonly retryAfter: string;

  constructor(
    private readonly limiter: InflightLimiter,
    @Inject(INGEST_CONFIG) config: IngestConfig,
  ) {
    this.retryAfter = String(config.INGEST_RETRY_AFTER_SECONDS);
  }

  use(_req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    const release = this.limiter.tryAcquire();
    if (!release) {
      res.writeHead(503, {
        'content-type': 'application/json; charset=utf-8',
        'retry-after': this.retryAfter,
        connection: 'close',
      });
      res.end(
        JSON.stringify({
          error: { code: 'unavailable', message: 'ingest is at its in-flight limit; retry later' },
        }),
      );
      return;
    }
    res.once('close', release);
    res.once('finish', release);
    next();
  }
}
