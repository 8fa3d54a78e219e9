/** JetStream messaging for Nest services: publish, request, consume, dead-letter, trace. */
export { backoffDelay, DEFAULT_BACKOFF_MS } from './backoff';
export { MESSAGING_OPTIONS, MessagingConnection, type MessagingHealth } from './connection';
export {
  DEAD_LETTER_RETRY_DELIVERIES,
  desiredConsumerConfig,
  ensureConsumer,
  type ConsumerSpec,
} from './consumer-setup';
export { JetStreamBatchContext, JetStreamContext, NatsRequestContext } from './context';
export { DLQ_ORIGINAL_MESSAGE_ID, deadLetterMessageId, deadLetterSubject } from './dead-letter';
export {
  JETSTREAM_TRANSPORT,
  OnMessage,
  type OnMessageOptions,
  OnMessages,
  type OnMessagesOptions,
  OnRequest,
} from './decorators';
export {
  ConfigConflictError,
  MessagingConfigError,
  MessagingUnavailableError,
  PermanentError,
  PublishRejectedError,
  RequestFailedError,
  RequestTimeoutError,
  SchemaValidationError,
  type SchemaIssue,
} from './errors';
export { MessagingModule, type MessagingModuleAsyncOptions } from './module';
export {
  type MessagingOptions,
  redactUrl,
  resolveOptions,
  type ResolvedMessagingOptions,
} from './options';
export { isTransientNatsError } from './publish-errors';
export {
  Messaging,
  type PublishOptions,
  type PublishResult,
  type RequestOptions,
} from './publisher';
export { RPC_ERROR_HEADER, requestSubject } from './rpc';
export { JetStreamServer } from './server';
export {
  desiredStreamConfig,
  ensureStreams,
  type StreamSetupOptions,
  type StreamSetupResult,
} from './stream-setup';
