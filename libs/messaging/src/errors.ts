/**
 * Named errors of the messaging layer. Callers branch on the class: a transient error
 * (`MessagingUnavailableError`, `RequestTimeoutError`) means "try again later" (ingest
 * answers 503), everything else is a bug or bad input that retrying will not fix.
 */
import type { z } from 'zod';

export type SchemaIssue = z.ZodError['issues'][number];

/** A payload, request or reply did not match its contract; nothing was sent. */
export class SchemaValidationError extends Error {
  override readonly name = 'SchemaValidationError';
  constructor(
    readonly what: string,
    readonly issues: readonly SchemaIssue[],
  ) {
    super(`${what} failed schema validation: ${summariseIssues(issues)}`);
  }
}

/** NATS or JetStream cannot be reached right now (timeout, no responders, disconnected). */
export class MessagingUnavailableError extends Error {
  override readonly name = 'MessagingUnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** JetStream answered and refused the publish (for example: message too large). */
export class PublishRejectedError extends Error {
  override readonly name = 'PublishRejectedError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Nobody answered a request in time (or nobody listens on its subject). */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  constructor(
    readonly requestType: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`request ${requestType} got no reply within ${timeoutMs} ms`, options);
  }
}

/** The responder answered with an error envelope instead of a reply. */
export class RequestFailedError extends Error {
  override readonly name = 'RequestFailedError';
  constructor(
    readonly requestType: string,
    readonly code: string,
    readonly remoteMessage: string,
  ) {
    super(`request ${requestType} failed (${code}): ${remoteMessage}`);
  }
}

/**
 * Thrown by a message handler when retrying cannot help (the message refers to
 * something that will never exist, breaks a business rule ...): the message goes
 * straight to the dead-letter stream instead of being redelivered.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Options given to MessagingModule / JetStreamServer are invalid. */
export class MessagingConfigError extends Error {
  override readonly name = 'MessagingConfigError';
}

/** A stream or consumer exists with settings that cannot be changed in place. */
export class ConfigConflictError extends Error {
  override readonly name = 'ConfigConflictError';
}

export function summariseIssues(issues: readonly SchemaIssue[]): string {
  return issues
    .slice(0, 10)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) {
    return String(err.message);
  }
  return String(err);
}
