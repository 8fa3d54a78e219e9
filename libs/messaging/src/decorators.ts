/**
 * Typed handler decorators. The message or request type named in the decorator fixes
 * the handler's parameter and return types at compile time, and the binding (durable,
 * filter, limits) travels to JetStreamServer in the Nest pattern's extras.
 */
import 'reflect-metadata';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { PARAM_ARGS_METADATA } from '@nestjs/microservices/constants';
import type {
  MessageOf,
  MessageType,
  ReplyOf,
  RequestOf,
  RequestType,
} from '@sessionrec/contracts';
import type { JetStreamBatchContext, JetStreamContext, NatsRequestContext } from './context';
import { captureHandlerError } from './handler-capture';

/** Transport id of JetStreamServer: our handlers bind to it and to no other transport. */
export const JETSTREAM_TRANSPORT = Symbol('JETSTREAM_TRANSPORT');

/** Key of the handler extras that carry a binding. */
export const BINDING_EXTRAS_KEY = 'sessionrecJetStream';

export interface OnMessageOptions {
  /** Durable consumer name; default `${serviceName}-${type with dots as dashes}`. */
  durable?: string;
  /** A narrower relative filter inside the type's subjects, e.g. `event.usb.inserted`. */
  filter?: string;
  /** Handlers running at once (and the consumer's max_ack_pending). */
  maxInFlight?: number;
  /** Deliveries before dead-lettering. */
  maxDeliver?: number;
}

export interface OnMessagesOptions extends OnMessageOptions {
  /** Most messages handed to one call; default: maxInFlight. */
  maxBatch?: number;
}

export interface MessageBinding extends OnMessagesOptions {
  kind: 'message';
  type: MessageType;
  /** Set by @OnMessages: the handler takes the messages of one pull turn in one call. */
  batch?: true;
}

export interface RequestBinding {
  kind: 'request';
  type: RequestType;
}

export type Binding = MessageBinding | RequestBinding;

type MessageHandlerFn<T extends MessageType> = (
  payload: MessageOf<T>,
  ctx: JetStreamContext,
) => Promise<void>;

type BatchHandlerFn<T extends MessageType> = (
  payloads: MessageOf<T>[],
  ctx: JetStreamBatchContext,
) => Promise<void>;

type RequestHandlerFn<T extends RequestType> = (
  request: RequestOf<T>,
  ctx: NatsRequestContext,
) => Promise<ReplyOf<T>>;

/**
 * Handles every message of `type` from a durable pull consumer: acked after the
 * returned promise resolves, redelivered with backoff if it rejects, dead-lettered on
 * `PermanentError`, bad payloads or too many deliveries.
 */
export function OnMessage<T extends MessageType>(type: T, options: OnMessageOptions = {}) {
  const binding: MessageBinding = { kind: 'message', type, ...options };
  return <F extends MessageHandlerFn<T>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => registerMessageHandler(binding, target, key, descriptor);
}

/**
 * Like @OnMessage, for handlers that write many messages at once (batch writers): the
 * valid messages that arrive together (one pull turn, at most `maxBatch`) are handed to
 * one call, in one consumer span, as `(payloads, ctx)`. When the promise resolves every
 * message of the call is acked; when it rejects each one is redelivered with backoff (or
 * dead-lettered, on `PermanentError` or after maxDeliver). A redelivered message is
 * handed over on its own, so one bad message cannot keep failing its neighbours' calls.
 * Handlers must be idempotent, as with @OnMessage.
 */
export function OnMessages<T extends MessageType>(type: T, options: OnMessagesOptions = {}) {
  const binding: MessageBinding = { kind: 'message', type, batch: true, ...options };
  return <F extends BatchHandlerFn<T>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => registerMessageHandler(binding, target, key, descriptor);
}

/** Answers requests of `type` over core NATS, load-shared in the service's queue group. */
export function OnRequest<T extends RequestType>(type: T) {
  const binding: RequestBinding = { kind: 'request', type };
  return <F extends RequestHandlerFn<T>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => {
    wrapForErrorCapture(descriptor);
    passPayloadAndContext(target, key);
    MessagePattern(patternOf(binding), JETSTREAM_TRANSPORT, { [BINDING_EXTRAS_KEY]: binding })(
      target,
      key,
      descriptor,
    );
  };
}

/** Nest keys handlers by pattern; the durable is part of it so two consumers never merge. */
function patternOf(binding: Binding): Record<string, string> {
  return binding.kind === 'message'
    ? { jetstream: binding.type, durable: binding.durable ?? '' }
    : { natsRequest: binding.type };
}

/**
 * Nest passes only the payload unless parameters are decorated; our handlers get
 * `(payload, ctx)` by default. Explicit @Payload()/@Ctx() decorators are left alone.
 */
function passPayloadAndContext(target: object, key: string | symbol): void {
  if (Reflect.getMetadata(PARAM_ARGS_METADATA, target.constructor, key) !== undefined) return;
  Payload()(target, key, 0);
  Ctx()(target, key, 1);
}

/** What @OnMessage and @OnMessages do to a method, beside their binding. */
function registerMessageHandler<F>(
  binding: MessageBinding,
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<F>,
): void {
  wrapForErrorCapture(descriptor);
  passPayloadAndContext(target, key);
  EventPattern(patternOf(binding), JETSTREAM_TRANSPORT, { [BINDING_EXTRAS_KEY]: binding })(
    target,
    key,
    descriptor,
  );
}

function wrapForErrorCapture<F>(descriptor: TypedPropertyDescriptor<F>): void {
  const original = descriptor.value as unknown as (...args: unknown[]) => Promise<unknown>;
  if (typeof original !== 'function') throw new TypeError('handler decorators apply to methods');
  const wrapped = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    try {
      return await original.apply(this, args);
    } catch (err) {
      captureHandlerError(err);
      throw err;
    }
  };
  Object.defineProperty(wrapped, 'name', { value: original.name });
  for (const metaKey of Reflect.getMetadataKeys(original)) {
    Reflect.defineMetadata(metaKey, Reflect.getMetadata(metaKey, original), wrapped);
  }
  descriptor.value = wrapped as unknown as F;
}
