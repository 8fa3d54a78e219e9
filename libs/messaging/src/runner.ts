/**
 * Runs one durable pull consumer: pulls only as many messages as there are free
 * handler slots, validates each, runs the handler inside a consumer span, then acks,
 * naks with backoff or dead-letters. `stop()` lets running handlers finish, bounded.
 *
 * A batch handler (`@OnMessages`) gets the valid first deliveries that arrive in one turn
 * of the event loop (at most `maxBatch`) in one call and one span; each message still holds
 * its own slot until its call settles.
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
import { JetStreamBatchContext, JetStreamContext } from './context';
import type { DeadLetterPublisher } from './dead-letter';
import { errorMessage } from './errors';
import { decideOnFailure } from './failure-policy';
import { invokeHandler } from './handler-capture';
import { Settlement } from './settlement';
import { Slots } from './slots';
import { extractTraceContext, inBatchSpan, inSpan, SpanKind } from './tracing';

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
  /** Set for @OnMessages handlers: most messages handed to one call. */
  maxBatch?: number;
}

interface Accepted {
  msg: JsMsg;
  settlement: Settlement;
  value: unknown;
}

export type EventHandler = (
  payload: unknown,
  ctx: JetStreamContext | JetStreamBatchContext,
) => unknown;

const PULL_RETRY_MS = 1_000;

export class ConsumerRunner {
  private readonly slots: Slots;
  private readonly inFlight = new Map<JsMsg, Settlement>();
  private readonly contract: MessageContract;
  private stopping = false;
  private loop?: Promise<void>;
  private batch?: ConsumerMessages;
  private pause?: { timer: NodeJS.Timeout; resolve: () => void };
  /** Batch mode: valid messages waiting for the end of this turn, and its callback. */
  private chunk: Accepted[] = [];
  private chunkFlush?: NodeJS.Immediate;
  private readonly relativeOf = (subject: string): string =>
    relativeSubject(this.cfg.namespace, subject) ?? subject;

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
    this.flushChunk();
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
          else if (this.cfg.maxBatch !== undefined) this.accept(msg, this.cfg.maxBatch);
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

  /**
   * Batch mode: takes a slot for the message; a valid first delivery joins this turn's
   * chunk, anything else (invalid, too many deliveries, a redelivery) is handled alone.
   */
  private accept(msg: JsMsg, maxBatch: number): void {
    const { deliveryCount } = msg.info;
    if (deliveryCount > 1) return this.dispatch(msg);
    const decoded = decodeAndValidate(this.contract.schema, msg.data, `message ${this.cfg.type}`);
    if (!decoded.ok) return this.dispatch(msg);
    this.slots.acquire();
    const settlement = new Settlement(msg);
    this.inFlight.set(msg, settlement);
    this.chunk.push({ msg, settlement, value: decoded.value });
    if (this.chunk.length >= maxBatch) this.flushChunk();
    else this.chunkFlush ??= setImmediate(() => this.flushChunk());
  }

  private flushChunk(): void {
    if (this.chunkFlush) clearImmediate(this.chunkFlush);
    this.chunkFlush = undefined;
    if (this.chunk.length === 0) return;
    const items = this.chunk;
    this.chunk = [];
    this.processBatch(items)
      .catch((err: unknown) => {
        this.logger.error(`${this.cfg.durable}: unexpected failure: ${errorMessage(err)}`);
        for (const { msg, settlement } of items) settlement.nak(this.retryDelay(msg));
      })
      .finally(() => {
        for (const { msg } of items) {
          this.inFlight.delete(msg);
          this.slots.release();
        }
      });
  }

  private async processBatch(items: readonly Accepted[]): Promise<void> {
    const msgs = items.map((i) => i.msg);
    const ctx = new JetStreamBatchContext(this.cfg.type, msgs, this.relativeOf);
    try {
      await inBatchSpan(
        `process ${this.cfg.type}`,
        {
          'messaging.system': 'nats',
          'messaging.operation.type': 'process',
          'messaging.destination.name': items[0]!.msg.subject,
          'messaging.consumer.group.name': this.cfg.durable,
          'messaging.batch.message_count': items.length,
        },
        () => msgs.map((m) => extractTraceContext(m.headers)),
        () =>
          invokeHandler(
            this.handler,
            items.map((i) => i.value),
            ctx,
          ),
      );
    } catch (err) {
      const alone = items.length === 1;
      const retried = await Promise.all(
        items.map(({ msg, settlement }) => this.onHandlerFailure(msg, settlement, err, alone)),
      );
      const naked = retried.filter((delay) => delay !== undefined);
      if (!alone && naked.length > 0) {
        this.logger.warn(
          `${this.cfg.durable}: a call of ${items.length} messages failed, ${naked.length} ` +
            `redelivered one by one in ${Math.min(...naked)}+ ms: ${errorMessage(err)}`,
        );
      }
      return;
    }
    let unsent = 0;
    let lastError: unknown;
    for (const { settlement } of items) {
      try {
        settlement.ack();
      } catch (err) {
        unsent += 1;
        lastError = err;
      }
    }
    if (unsent > 0) {
      this.logger.warn(
        `${this.cfg.durable}: ${unsent} ack(s) not sent (${errorMessage(lastError)}); ` +
          'they will be redelivered',
      );
    }
  }

  private async process(msg: JsMsg, settlement: Settlement): Promise<void> {
    const { deliveryCount } = msg.info;
    if (deliveryCount > this.cfg.maxDeliver) {
      // The handler already failed maxDeliver times; an earlier dead-letter publish failed.
      return this.toDeadLetter(msg, settlement, 'max deliveries exceeded: dead-letter retry');
    }
    const decoded = decodeAndValidate(this.contract.schema, msg.data, `message ${this.cfg.type}`);
    if (!decoded.ok) return this.toDeadLetter(msg, settlement, decoded.reason);
    if (this.cfg.maxBatch !== undefined) {
      return this.processBatch([{ msg, settlement, value: decoded.value }]);
    }

    const ctx = new JetStreamContext(this.cfg.type, msg, this.relativeOf(msg.subject));
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
      await this.onHandlerFailure(msg, settlement, err);
      return;
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

  /** Naks with backoff or dead-letters; the delay when it naked (undefined otherwise). */
  private async onHandlerFailure(
    msg: JsMsg,
    settlement: Settlement,
    err: unknown,
    log = true,
  ): Promise<number | undefined> {
    // Shutdown gave up on this handler and already released the message.
    if (settlement.settled) return undefined;
    const { deliveryCount, streamSequence } = msg.info;
    const decision = decideOnFailure(err, deliveryCount, this.cfg.maxDeliver, this.cfg.backoffMs);
    if (decision.action === 'dead-letter') {
      await this.toDeadLetter(msg, settlement, decision.reason);
      return undefined;
    }
    if (log) {
      this.logger.warn(
        `${this.cfg.durable}: seq ${streamSequence} failed on delivery ` +
          `${deliveryCount}/${this.cfg.maxDeliver}, retry in ${decision.delayMs} ms: ` +
          errorMessage(err),
      );
    }
    settlement.nak(decision.delayMs);
    return decision.delayMs;
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
