/**
 * What a handler learns about the message it is handling, besides the payload: where it
 * came from, how often it was delivered, and a way to ask for more time.
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/nats-core';
import { BaseRpcContext } from '@nestjs/microservices';
import { HEADERS, type MessageType, type RequestType } from '@sessionrec/contracts';
import { headersToRecord } from './nats-headers';

export class JetStreamContext extends BaseRpcContext<[JsMsg]> {
  /** Concrete subject, e.g. `sessionrec.segment.stored`. */
  readonly subject: string;
  /** Subject without the namespace, e.g. `segment.stored`. */
  readonly relativeSubject: string;
  readonly headers: Readonly<Record<string, string>>;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly streamSeq: number;
  /** The publisher's de-duplication id (Nats-Msg-Id), empty if it set none. */
  readonly messageId: string;

  constructor(
    readonly type: MessageType,
    private readonly msg: JsMsg,
    relativeSubject: string,
  ) {
    super([msg]);
    this.subject = msg.subject;
    this.relativeSubject = relativeSubject;
    this.headers = headersToRecord(msg.headers);
    this.deliveryCount = msg.info.deliveryCount;
    this.streamSeq = msg.info.streamSequence;
    this.messageId = this.headers[HEADERS.messageId] ?? '';
  }

  /** Resets the ack timer: call it during long work so the message is not redelivered. */
  working(): void {
    this.msg.working();
  }

  /** The raw message, for the rare handler that needs it. Do not ack it yourself. */
  getMessage(): JsMsg {
    return this.msg;
  }
}

/**
 * What a batch handler (`@OnMessages`) learns about the messages of one call: the
 * payloads come in the same order as `size` messages here. Per-message contexts are built
 * only when asked for (decoding every message's headers is most of a context's cost).
 */
export class JetStreamBatchContext extends BaseRpcContext<[readonly JsMsg[]]> {
  readonly size: number;

  constructor(
    readonly type: MessageType,
    private readonly msgs: readonly JsMsg[],
    private readonly relativeOf: (subject: string) => string,
  ) {
    super([msgs]);
    this.size = msgs.length;
  }

  /** The context of the `i`-th message of the call (same order as the payloads). */
  message(i: number): JetStreamContext {
    const msg = this.msgs[i];
    if (!msg) throw new RangeError(`message ${i} of a batch of ${this.size}`);
    return new JetStreamContext(this.type, msg, this.relativeOf(msg.subject));
  }

  /** Resets the ack timer of every message of the call. */
  working(): void {
    for (const msg of this.msgs) msg.working();
  }
}

export class NatsRequestContext extends BaseRpcContext<[Msg]> {
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly type: RequestType,
    msg: Msg,
  ) {
    super([msg]);
    this.subject = msg.subject;
    this.headers = headersToRecord(msg.headers);
  }
}
