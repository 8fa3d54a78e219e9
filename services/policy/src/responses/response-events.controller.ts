/**
 * The response engine's inputs: durable consumers of session.started / session.ended (who
 * and where each session is) and of every host event (sessionrec.event.>).
 */
import { Controller, Logger } from '@nestjs/common';
import type { MessageOf } from '@sessionrec/contracts';
import { type JetStreamContext, OnMessage, PermanentError } from '@sessionrec/messaging';
import { ResponseEngine, SessionNotKnownError } from './response-engine';
import { ResponseStateStore } from './response-state.store';

/**
 * Deliveries to wait for an event's session.started (backoff 1 s, 2 s, 4 s: about 7 s)
 * before dead-lettering the event with the reason.
 */
export const SESSION_WAIT_DELIVERIES = 4;

@Controller()
export class ResponseEventsController {
  private readonly logger = new Logger(ResponseEventsController.name);

  constructor(
    private readonly engine: ResponseEngine,
    private readonly state: ResponseStateStore,
  ) {}

  @OnMessage('session.started', { durable: 'policy-response-sessions-started' })
  async onSessionStarted(s: MessageOf<'session.started'>): Promise<void> {
    await this.state.rememberSession(s);
  }

  @OnMessage('session.ended', { durable: 'policy-response-sessions-ended' })
  async onSessionEnded(s: MessageOf<'session.ended'>): Promise<void> {
    await this.state.sessionEnded(s.sessionId, s.endedAt);
  }

  /**
   * 32 in flight: more only queue for the database pool and for the per-session locks
   * (256 was slower in `npm run bench -- --only responses`). Database trouble is retried
   * for minutes (backoff up to 60 s) before dead-lettering.
   */
  @OnMessage('event', { durable: 'policy-response-rules', maxInFlight: 32, maxDeliver: 20 })
  async onEvent(event: MessageOf<'event'>, ctx: JetStreamContext): Promise<void> {
    try {
      await this.engine.onEvent(event, ctx.deliveryCount > 1);
    } catch (err) {
      if (err instanceof SessionNotKnownError && ctx.deliveryCount >= SESSION_WAIT_DELIVERIES) {
        this.logger.warn(`event ${event.eventId}: ${err.message}`);
        throw new PermanentError(err.message, { cause: err });
      }
      throw err;
    }
  }
}
