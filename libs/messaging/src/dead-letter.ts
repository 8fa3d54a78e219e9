/**
 * Moves a message that cannot be processed to the DEADLETTER stream, byte for byte,
 * with the reason and its origin in headers, so an operator can inspect and replay it.
 * A repeated dead-lettering of the same stored message is de-duplicated by JetStream.
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { DEAD_LETTER_PREFIX, fullSubject, HEADERS, relativeSubject } from '@sessionrec/contracts';
import { headerValue } from './nats-headers';

/** The original message's Nats-Msg-Id, kept because the copy gets its own. */
export const DLQ_ORIGINAL_MESSAGE_ID = 'Sessionrec-Dlq-Original-Msg-Id';

export interface DeadLetterInfo {
  reason: string;
  consumer: string;
}

export function deadLetterSubject(namespace: string, originalSubject: string): string {
  const relative = relativeSubject(namespace, originalSubject) ?? originalSubject;
  return fullSubject(namespace, `${DEAD_LETTER_PREFIX}.${relative}`);
}

export function deadLetterMessageId(stream: string, streamSeq: number): string {
  return `dlq:${stream}:${streamSeq}`;
}

export class DeadLetterPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly namespace: string,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves once JetStream has stored the copy; rejects if it could not. */
  async publish(msg: JsMsg, info: DeadLetterInfo): Promise<void> {
    const h = natsHeaders();
    for (const key of msg.headers?.keys() ?? []) {
      // Nats-* headers steer JetStream (ids, expectations, rollups): not copied as such.
      if (key.toLowerCase().startsWith('nats-')) continue;
      for (const value of msg.headers?.values(key) ?? []) h.append(key, value);
    }
    const originalId = msg.headers?.has(HEADERS.messageId)
      ? msg.headers.get(HEADERS.messageId)
      : '';
    if (originalId) h.set(DLQ_ORIGINAL_MESSAGE_ID, originalId);
    const di = msg.info;
    h.set(HEADERS.dlqReason, headerValue(info.reason));
    h.set(HEADERS.dlqSubject, msg.subject);
    h.set(HEADERS.dlqStream, di.stream);
    h.set(HEADERS.dlqConsumer, info.consumer);
    h.set(HEADERS.dlqDeliveries, String(di.deliveryCount));
    h.set(HEADERS.dlqStreamSeq, String(di.streamSequence));
    await this.js.publish(deadLetterSubject(this.namespace, msg.subject), msg.data, {
      msgID: deadLetterMessageId(di.stream, di.streamSequence),
      headers: h,
      timeout: this.timeoutMs,
    });
  }
}
