/**
 * The agent protocol's error answers: every failure is `{error:{code,message}}` with the
 * right status, so an agent can branch on `code` (and retry 503s after Retry-After).
 */
import { HttpException, HttpStatus } from '@nestjs/common';

/** The codes ingest itself uses; a few answers refine them (`revoked`, `segment_conflict`). */
export type ApiErrorCode =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unavailable'
  | 'internal';

export interface ApiErrorBody {
  error: { code: string; message: string };
}

export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
  ) {
    super({ error: { code, message } } satisfies ApiErrorBody, status);
  }
}

/** 400: the request does not match the protocol; the message names the field. */
export class ValidationError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.BAD_REQUEST, 'validation', message);
  }
}

/** 401: missing, malformed, unknown or revoked credential, or an unusable enrolment token. */
export class AgentUnauthorizedError extends ApiError {
  constructor(message: string, code = 'unauthorized') {
    super(HttpStatus.UNAUTHORIZED, code, message);
  }
}

/** 403: the agent is authenticated but the session or recording is not its own. */
export class AgentForbiddenError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.FORBIDDEN, 'forbidden', message);
  }
}

export class ResourceNotFoundError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.NOT_FOUND, 'not_found', message);
  }
}

/** 409: the request contradicts what is already stored (a segment, a hash chain, an id). */
export class ResourceConflictError extends ApiError {
  constructor(message: string, code = 'conflict') {
    super(HttpStatus.CONFLICT, code, message);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.PAYLOAD_TOO_LARGE, 'payload_too_large', message);
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'unsupported_media_type', message);
  }
}

/** 503: try again after `retryAfterSeconds` (full, or NATS/the store/the database is down). */
export class ServiceUnavailableError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'unavailable', message);
  }
}
