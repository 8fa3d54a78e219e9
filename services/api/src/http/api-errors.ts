/**
 * The api's error answers: every failure under /api is `{error:{code,message}}` with the
 * right status, so the console and scripts can branch on `code`.
 */
import { HttpException, HttpStatus } from '@nestjs/common';

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
    this.message = message;
  }
}

/** 400: a parameter or body field is invalid; the message names it. */
export class ValidationError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.BAD_REQUEST, 'validation', message);
  }
}

/** 401: no credential, or one that is unknown, expired, revoked or of a disabled user. */
export class UnauthorizedError extends ApiError {
  constructor(message = 'sign in first: a valid bearer token or session cookie is required') {
    super(HttpStatus.UNAUTHORIZED, 'unauthorized', message);
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.NOT_FOUND, 'not_found', message);
  }
}

/** 409: the request contradicts what is stored (e.g. a user name already taken). */
export class ConflictError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.CONFLICT, 'conflict', message);
  }
}

/** 416: a Range header that does not fit the object. */
export class RangeNotSatisfiableError extends ApiError {
  constructor(
    message: string,
    readonly size: number,
  ) {
    super(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, 'range_not_satisfiable', message);
  }
}

/** 429: too many failed sign-ins; retry after `retryAfterSeconds`. */
export class TooManyRequestsError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(HttpStatus.TOO_MANY_REQUESTS, 'too_many_requests', message);
  }
}

/** 502: stored bytes do not match the catalogue (tampering or corruption). */
export class IntegrityError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.BAD_GATEWAY, 'integrity', message);
  }
}

/** 503: a dependency (the indexer, NATS, the store) is unreachable or the api is busy. */
export class ServiceUnavailableError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'unavailable', message);
  }
}
