/**
 * Runs one durable pull consumer: pulls only as many messages as there are free
 * handler slots, validates each, runs the handler inside a consumer span, then acks,
 * naks with backoff or dead-letters. `stop()` lets running handlers finish, bounded.
 */
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { LoggerService } from '@nestjs/common';
import {
  type MessageContract,
  MESSAGES,
  type MessageType,
  relativeSubject,
} from '@sessionrec/contracts';
import { backoffDelay } from './backoff';
import { decodeAndValidate } from './codec';
import { JetStreamContext } from './context';
import type { DeadLetterPublisher } from './dead-letter';
import { errorMessage } from './errors';
import { decideOnFailure } from './failure-policy';
import { invokeHandler } from './handler-capture';
import { Settlement } from './settlement';
import { Slots } from './slots';
import { extractTraceContext, inSpan, SpanKind } from './tracing';

export interface RunnerConfig {
  type: MessageType;
  stream: string;
  durable: string;
  namespace: string;
  maxInFlight: number;
  maxDeliver: number;
  backoffMs: readonly number[];
  /** How long one pull request waits for messages before the next is sent. */
  pullExpiresMs: number;
}

export type EventHandler = (payload: unknown, ctx: JetStreamContext) => unknown;

const PULL_RETRY_MS = 1_000;

export class ConsumerRunner {
  private readonly slots: Slots;
  private readonly inFlight = new Map<JsMsg, Settlement>();
  private readonly contract: MessageContract;
  private stopping = false;
  private loop?: Promise<void>;
  private batch?: ConsumerMessages;
  private pause?: { timer: NodeJS.Timeout; resolve: () => void };

  constructor(
    private readonly consumer: Consumer,
    private readonly cfg: RunnerConfig,
    private readonly handler: EventHandler,
    private readonly deadLetter: DeadLetterPublisher,
    private readonly logger: LoggerService,
  ) {
    this.slots = new Slots(cfg.maxInFlight);
    this.contract = MESSAGES[cfg.type];
  }

  start(): void {
    this.loop ??= this.pullLoop();
  }

  /**
   * Stops pulling, waits up to `drainTimeoutMs` for running handlers and naks the
   * messages of those still running so another instance gets them at once.
   */
  async stop(drainTimeoutMs: number): Promise<void> {
    this.stopping = true;
    this.batch?.stop();
    this.slots.wake();
    if (this.pause) {
      clearTimeout(this.pause.timer);
      this.pause.resolve();
    }
    await this.loop;
    const idle = await this.slots.whenIdle(drainTimeoutMs);
    if (!idle) {
      this.logger.warn(
        `${this.cfg.durable}: ${this.inFlight.size} handler(s) still running after ` +
          `${drainTimeoutMs} ms; their messages are released for redelivery`,
      );
      for (const settlement of this.inFlight.values()) settlement.nak();
    }
  }

  private async pullLoop(): Promise<void> {
    while (!this.stopping) {
      await this.slots.whenFree();
      // Handlers finishing together (a committed batch) free their slots in the same turn:
      // let them all go before pulling, so one pull asks for all of them, not one each.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.stopping) break;
      try {
        const batch = await this.consumer.fetch({
          max_messages: this.slots.free,
          expires: this.cfg.pullExpiresMs,
        });
        this.batch = batch;
        if (this.stopping) batch.stop();
        for await (const msg of batch) {
          // Delivered after shutdown began: hand it straight back.
          if (this.stopping || this.slots.free === 0) msg.nak();
          else this.dispatch(msg);
        }
      } catch (err) {
        if (this.stopping) break;
        this.logger.warn(`${this.cfg.durable}: pull failed, retrying: ${errorMessage(err)}`);
        await this.sleep(PULL_RETRY_MS);
      } finally {
        this.batch = undefined;
      }
    }
  }

  private dispatch(msg: JsMsg): void {
    this.slots.acquire();
    const settlement = new Settlement(msg);
    this.inFlight.set(msg, settlement);
    this.process(msg, settlement)
      .catch((err: unknown) => {
        this.logger.error(`${this.cfg.durable}: unexpected failure: ${errorMessage(err)}`);
        settlement.nak(this.retryDelay(msg));
      })
      .finally(() => {
        this.inFlight.delete(msg);
        this.slots.release();
      });
  }

  private async process(msg: JsMsg, settlement: Settlement): Promise<void> {
    const { deliveryCount } = msg.info;
    if (deliveryCount > this.cfg.maxDeliver) {
      // The handler already failed maxDeliver times; an earlier dead-letter publish failed.
      return this.toDeadLetter(msg, settlement, 'max deliveries exceeded: dead-letter retry');
    }
    const decoded = decodeAndValidate(this.contract.schema, msg.data, `message ${this.cfg.type}`);
    if (!decoded.ok) return this.toDeadLetter(msg, settlement, decoded.reason);

    const relative = relativeSubject(this.cfg.namespace, msg.subject) ?? msg.subject;
    const ctx = new JetStreamContext(this.cfg.type, msg, relative);
    try {
      await inSpan(
        `process ${msg.subject}`,
        SpanKind.CONSUMER,
        {
          'messaging.system': 'nats',
          'messaging.operation.type': 'process',
          'messaging.destination.name': msg.subject,
          'messaging.consumer.group.name': this.cfg.durable,
          'messaging.message.id': ctx.messageId,
          'messaging.nats.delivery_count': deliveryCount,
        },
        () => invokeHandler(this.handler, decoded.value, ctx),
        extractTraceContext(msg.headers),
      );
    } catch (err) {
      return this.onHandlerFailure(msg, settlement, err);
    }
    try {
      settlement.ack();
    } catch (err) {
      this.logger.warn(
        `${this.cfg.durable}: ack of seq ${msg.info.streamSequence} not sent ` +
          `(${errorMessage(err)}); it will be redelivered`,
      );
    }
  }

  private async onHandlerFailure(msg: JsMsg, settlement: Settlement, err: unknown): Promise<void> {
    // Shutdown gave up on this handler and already released the message.
    if (settlement.settled) return;
    const { deliveryCount, streamSequence } = msg.info;
    const decision = decideOnFailure(err, deliveryCount, this.cfg.maxDeliver, this.cfg.backoffMs);
    if (decision.action === 'dead-letter') {
      return this.toDeadLetter(msg, settlement, decision.reason);
    }
    this.logger.warn(
      `${this.cfg.durable}: seq ${streamSequence} failed on delivery ` +
        `${deliveryCount}/${this.cfg.maxDeliver}, retry in ${decision.delayMs} ms: ` +
        errorMessage(err),
    );
    settlement.nak(decision.delayMs);
  }

  private async toDeadLetter(msg: JsMsg, settlement: Settlement, reason: string): Promise<void> {
    if (settlement.settled) return;
    const { deliveryCount, streamSequence } = msg.info;
    try {
      await this.deadLetter.publish(msg, { reason, consumer: this.cfg.durable });
    } catch (err) {
      this.logger.error(
        `${this.cfg.durable}: dead-letter publish of seq ${streamSequence} failed, ` +
          `will retry: ${errorMessage(err)}`,
      );
      settlement.nak(this.retryDelay(msg));
      return;
    }
    this.logger.warn(
      `${this.cfg.durable}: dead-lettered ${msg.subject} seq ${streamSequence} after ` +
        `${deliveryCount} deliveries: ${reason}`,
    );
    settlement.term();
  }

  private retryDelay(msg: JsMsg): number {
    return backoffDelay(msg.info.deliveryCount, this.cfg.backoffMs);
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.pause = { timer: setTimeout(resolve, ms), resolve };
    });
    this.pause = undefined;
  }
}
