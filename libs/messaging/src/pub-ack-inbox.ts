/**
 * JetStream publishes that wait for their PubAck on one inbox subscription per
 * connection, instead of nats.js's request machinery.
 *
 * Why: `js.publish` is a core request. nats.js settles every request by rejecting an
 * internal promise with a fresh `RequestError` (stack trace included) even when the
 * answer arrived, and arms a timer per request. At thousands of publishes a second that
 * was the largest share of a busy publisher's NATS cost. Here a publish is a core
 * publish with a reply subject under this connection's inbox, its answer is matched by
 * token, and one timer expires the oldest waiters: every publish has the same timeout,
 * so the waiters time out in the order they were sent.
 *
 * The answer is read as `js.publish` reads it: a PubAck (`{stream, seq, duplicate?}`),
 * a JetStream API error (`{error: {code, err_code, description}}`), or an empty 503 when
 * no stream takes the subject.
 */
import {
  createInbox,
  type MsgHdrs,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/nats-core';
import { errorMessage, MessagingUnavailableError, PublishRejectedError } from './errors';

export interface PubAck {
  readonly stream: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

interface Waiter {
  readonly subject: string;
  readonly deadline: number;
  readonly resolve: (ack: PubAck) => void;
  readonly reject: (err: Error) => void;
}

const decoder = new TextDecoder();

export class PubAckInbox {
  private readonly prefix: string;
  private readonly subscription: Subscription;
  /** Insertion order is send order, and so deadline order (one timeout for all). */
  private readonly waiting = new Map<string, Waiter>();
  private nextToken = 0;
  private timer: NodeJS.Timeout | undefined;
  private closedError: Error | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.prefix = `${createInbox()}.`;
    this.subscription = nc.subscribe(`${this.prefix}*`, {
      callback: (err, msg) => this.onAnswer(err, msg),
    });
    void nc.closed().then(() => this.close(new MessagingUnavailableError('connection closed')));
  }

  /** Waiters not yet answered (for tests and diagnostics). */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * Publishes and resolves with JetStream's acknowledgement. Throws
   * MessagingUnavailableError (timeout, no stream, connection closed: retry later) or
   * PublishRejectedError (JetStream refused the message).
   */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs): Promise<PubAck> {
    if (this.closedError) return Promise.reject(this.closedError);
    const token = (this.nextToken++).toString(36);
    return new Promise<PubAck>((resolve, reject) => {
      this.waiting.set(token, {
        subject,
        deadline: this.now() + this.timeoutMs,
        resolve,
        reject,
      });
      try {
        this.nc.publish(subject, data, { reply: this.prefix + token, headers });
      } catch (err) {
        this.waiting.delete(token);
        reject(new MessagingUnavailableError(`publish to ${subject}: ${errorMessage(err)}`));
        return;
      }
      this.timer ??= setTimeout(() => this.expire(), this.timeoutMs);
    });
  }

  /** Fails every waiter and stops listening; later publishes fail at once. */
  close(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.subscription.isClosed()) this.subscription.unsubscribe();
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(err);
  }

  private onAnswer(err: Error | null, msg: Msg | undefined): void {
    // An error of the subscription itself (no message) answers nobody: waiters time out.
    if (typeof msg?.subject !== 'string') return;
    const token = msg.subject.slice(this.prefix.length);
    const waiter = this.waiting.get(token);
    if (!waiter) return; // Answered after it timed out: the publisher was told already.
    this.waiting.delete(token);
    if (err) {
      waiter.reject(new MessagingUnavailableError(`publish to ${waiter.subject}: ${err.message}`));
      return;
    }
    const outcome = readAnswer(msg);
    if (outcome instanceof Error) {
      waiter.reject(
        outcome instanceof PublishRejectedError
          ? new PublishRejectedError(`publish to ${waiter.subject} rejected: ${outcome.message}`)
          : new MessagingUnavailableError(
              `publish to ${waiter.subject}: JetStream unavailable: ${outcome.message}`,
            ),
      );
      return;
    }
    waiter.resolve(outcome);
  }

  /** Times out the waiters whose deadline passed, then sleeps until the next one's. */
  private expire(): void {
    this.timer = undefined;
    const now = this.now();
    for (const [token, waiter] of this.waiting) {
      if (waiter.deadline > now) {
        this.timer = setTimeout(() => this.expire(), waiter.deadline - now);
        return;
      }
      this.waiting.delete(token);
      waiter.reject(
        new MessagingUnavailableError(
          `publish to ${waiter.subject}: JetStream did not acknowledge within ${this.timeoutMs} ms`,
        ),
      );
    }
  }
}

/** A PubAck, or the error the answer stands for (transient unless JetStream refused). */
export function readAnswer(msg: Pick<Msg, 'data' | 'headers'>): PubAck | Error {
  if (msg.data.length === 0) {
    const code = msg.headers?.code ?? 0;
    return new MessagingUnavailableError(
      code === 503 ? 'no stream takes the subject' : `empty answer (status ${code})`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(msg.data));
  } catch {
    return new MessagingUnavailableError('the acknowledgement is not JSON');
  }
  if (typeof body !== 'object' || body === null) {
    return new MessagingUnavailableError('the acknowledgement is not an object');
  }
  const answer = body as {
    stream?: unknown;
    seq?: unknown;
    duplicate?: unknown;
    error?: { code?: unknown; err_code?: unknown; description?: unknown };
  };
  if (answer.error) {
    const { code, err_code: errCode, description } = answer.error;
    const text = `${typeof description === 'string' ? description : 'error'} (${Number(code)}/${Number(errCode)})`;
    // 503: JetStream is there but cannot store right now (no quorum, resources).
    return code === 503 ? new MessagingUnavailableError(text) : new PublishRejectedError(text);
  }
  if (typeof answer.stream !== 'string' || answer.stream === '' || typeof answer.seq !== 'number') {
    return new MessagingUnavailableError('invalid acknowledgement');
  }
  return { stream: answer.stream, seq: answer.seq, duplicate: answer.duplicate === true };
}
