/**
 * The publishing side: validated, de-duplicated, traced JetStream publishes that
 * resolve only once JetStream has stored the message, and typed request/reply.
 */
import {
  headers as natsHeaders,
  type MsgHdrs,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';
import { Injectable } from '@nestjs/common';
import {
  fullSubject,
  HEADERS,
  type MessageContract,
  type MessageInput,
  type MessageOf,
  MESSAGES,
  type MessageType,
  type ReplyOf,
  REQUESTS,
  type RequestOf,
  type RequestType,
  subjectOf,
} from '@sessionrec/contracts';
import { decodeAndValidate, encodeJson, validate } from './codec';
import { MessagingConnection } from './connection';
import {
  errorMessage,
  MessagingUnavailableError,
  RequestFailedError,
  RequestTimeoutError,
  SchemaValidationError,
} from './errors';
import { isValidHeaderName } from './nats-headers';
import { isTransientNatsError, toPublishError } from './publish-errors';
import { requestSubject, RPC_ERROR_HEADER, type RpcErrorBody } from './rpc';
import { ensureStreams, type StreamSetupResult } from './stream-setup';
import { injectTraceContext, inSpan, SpanKind } from './tracing';
import { WriteGate } from './write-gate';

export interface PublishOptions {
  /** De-duplication id; defaults to the contract's id for the payload. */
  messageId?: string;
  /** Extra headers (not `Nats-*`, which steer JetStream). */
  headers?: Record<string, string>;
}

export interface PublishResult {
  seq: number;
  duplicate: boolean;
  stream: string;
}

export interface RequestOptions {
  timeoutMs: number;
}

@Injectable()
export class Messaging {
  /** Publishes of one loop iteration, or of one interval when busy, leave in one socket write. */
  private readonly writes: WriteGate;

  constructor(private readonly connection: MessagingConnection) {
    this.writes = new WriteGate(connection.options.publishWriteIntervalMs);
  }

  /**
   * Validates and publishes one message; resolves with JetStream's acknowledgement.
   * Throws SchemaValidationError (nothing sent), MessagingUnavailableError (retry
   * later) or PublishRejectedError.
   */
  async publish<T extends MessageType>(
    type: T,
    payload: MessageInput<T>,
    opts: PublishOptions = {},
  ): Promise<PublishResult> {
    const contract = MESSAGES[type] as MessageContract;
    const parsed = validate(contract.schema, payload, `message ${type}`) as MessageOf<T>;
    let relative: string;
    try {
      relative = subjectOf(type, parsed);
    } catch (err) {
      throw new SchemaValidationError(`message ${type}`, [
        { code: 'custom', path: [], message: errorMessage(err), input: undefined },
      ]);
    }
    const o = this.connection.options;
    const subject = fullSubject(o.namespace, relative);
    const messageId = opts.messageId ?? contract.messageId(parsed);
    const h = buildHeaders(opts.headers);
    h.set(HEADERS.messageType, type);
    h.set(HEADERS.schemaVersion, String((parsed as { v: number }).v));
    return inSpan(
      `send ${subject}`,
      SpanKind.PRODUCER,
      {
        'messaging.system': 'nats',
        'messaging.operation.type': 'send',
        'messaging.destination.name': subject,
        'messaging.message.id': messageId,
      },
      async (span) => {
        injectTraceContext(h);
        h.set(HEADERS.messageId, messageId);
        try {
          const acks = await this.connection.acks();
          await this.writes.next();
          const ack = await acks.publish(subject, encodeJson(parsed), h);
          span.setAttribute('messaging.nats.stream_sequence', ack.seq);
          return { seq: ack.seq, duplicate: ack.duplicate, stream: ack.stream };
        } catch (err) {
          throw toPublishError(err, subject);
        }
      },
    );
  }

  /**
   * Asks a question over core NATS and validates the answer. Throws
   * RequestTimeoutError when nobody answers in time, RequestFailedError when the
   * responder reports an error, SchemaValidationError for a bad request or reply.
   */
  async request<T extends RequestType>(
    type: T,
    payload: RequestOf<T>,
    opts: RequestOptions,
  ): Promise<ReplyOf<T>> {
    if (!Number.isInteger(opts.timeoutMs) || opts.timeoutMs < 1) {
      throw new RangeError(`timeoutMs must be a positive integer, got ${opts.timeoutMs}`);
    }
    const contract = REQUESTS[type];
    const parsed = validate(contract.request, payload, `request ${type}`);
    const subject = requestSubject(this.connection.options.namespace, type);
    const reply = await inSpan(
      `request ${subject}`,
      SpanKind.CLIENT,
      { 'messaging.system': 'nats', 'messaging.destination.name': subject },
      async () => {
        const h = natsHeaders();
        injectTraceContext(h);
        const nc = await this.connection.nc();
        try {
          return await nc.request(subject, encodeJson(parsed), {
            timeout: opts.timeoutMs,
            headers: h,
          });
        } catch (err) {
          if (
            err instanceof TimeoutError ||
            (err instanceof RequestError && err.isNoResponders())
          ) {
            throw new RequestTimeoutError(type, opts.timeoutMs, { cause: err });
          }
          if (isTransientNatsError(err)) {
            throw new MessagingUnavailableError(`request ${type}: ${errorMessage(err)}`, {
              cause: err,
            });
          }
          throw err;
        }
      },
    );
    if (reply.headers?.has(RPC_ERROR_HEADER)) {
      const body = safeJson(reply.data) as Partial<RpcErrorBody> | undefined;
      throw new RequestFailedError(
        type,
        reply.headers.get(RPC_ERROR_HEADER),
        typeof body?.message === 'string' ? body.message : 'no details',
      );
    }
    const decoded = decodeAndValidate(contract.reply, reply.data, `reply to ${type}`);
    if (!decoded.ok) {
      throw new SchemaValidationError(`reply to ${type}`, [
        { code: 'custom', path: [], message: decoded.reason, input: undefined },
      ]);
    }
    return decoded.value as ReplyOf<T>;
  }

  /** Creates or updates every stream of the namespace (idempotent). */
  async ensureStreams(): Promise<StreamSetupResult> {
    const o = this.connection.options;
    return ensureStreams(await this.connection.jsm(), o);
  }
}

function buildHeaders(extra: Record<string, string> | undefined): MsgHdrs {
  const h = natsHeaders();
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (!isValidHeaderName(key) || key.toLowerCase().startsWith('nats-')) {
      throw new RangeError(`header name not allowed: "${key}"`);
    }
    if (typeof value !== 'string' || /[\r\n]/.test(value)) {
      throw new RangeError(`header ${key} must be a single-line string`);
    }
    h.set(key, value);
  }
  return h;
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}
