/**
 * Deletes response state no decision can need again (hits and throttle marks older than
 * the longest window, evaluated-event marks and published requests older than the EVENTS
 * stream keeps events, sessions ended a day ago), so the tables stay bounded. Every
 * replica may run it; the deletes are idempotent.
 */
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RESPONSE_LIMITS } from '@sessionrec/contracts';
import { ResponseStateStore } from './response-state.store';

const SWEEP_EVERY_MS = 10 * 60 * 1000;

@Injectable()
export class ResponseStateSweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ResponseStateSweeper.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly state: ResponseStateStore) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    try {
      const removed = await this.state.sweep(RESPONSE_LIMITS.seconds);
      if (removed > 0) this.logger.log(`response state: ${removed} expired rows removed`);
      return removed;
    } catch (err) {
      this.logger.warn(`response state sweep failed: ${String(err)}`);
      return 0;
    }
  }
}
