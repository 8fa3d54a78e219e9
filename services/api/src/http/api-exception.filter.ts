/**
 * Every error an /api route produces leaves as `{error:{code,message}}`: ours as thrown,
 * Fastify's and Nest's mapped by status, an unreachable indexer, NATS, store or database
 * as 503 with Retry-After. Other routes of the process (health, metrics) keep Nest's
 * default answers. A response whose body has started streaming cannot change its status:
 * the connection is cut instead, so a client never takes a truncated body for a whole one.
 */
import { type ArgumentsHost, Catch, HttpException, Inject, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import {
  MessagingUnavailableError,
  RequestTimeoutError,
  SchemaValidationError,
} from '@sessionrec/messaging';
import { InvalidRangeError, ObjectNotFoundError } from '@sessionrec/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import {
  ApiError,
  type ApiErrorBody,
  RangeNotSatisfiableError,
  ServiceUnavailableError,
  TooManyRequestsError,
} from './api-errors';
import { isTransientInfrastructureError } from '@sessionrec/runtime';

const CODE_OF_STATUS: Record<number, string> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
  429: 'too_many_requests',
  503: 'unavailable',
};

interface Described {
  status: number;
  body: ApiErrorBody;
  headers?: Record<string, string>;
}

@Catch()
export class ApiExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('Api');

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      super.catch(exception, host);
      return;
    }
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (!request.url.startsWith('/api/') && request.url !== '/api') {
      super.catch(exception, host);
      return;
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const described = this.describe(exception, request);
    if (reply.sent || reply.raw.headersSent) {
      this.logger.warn(
        `${request.method} ${routeOf(request)}: failed after the response started: ${errorText(exception)}`,
      );
      reply.raw.destroy();
      return;
    }
    for (const [name, value] of Object.entries(described.headers ?? {})) {
      void reply.header(name, value);
    }
    void reply.status(described.status).type('application/json').send(described.body);
  }

  private describe(exception: unknown, request: FastifyRequest): Described {
    const retryAfter = String(this.config.API_RETRY_AFTER_SECONDS);
    if (exception instanceof ServiceUnavailableError) {
      return {
        status: 503,
        body: exception.getResponse() as ApiErrorBody,
        headers: { 'retry-after': String(exception.retryAfterSeconds ?? retryAfter) },
      };
    }
    if (exception instanceof TooManyRequestsError) {
      return {
        status: 429,
        body: exception.getResponse() as ApiErrorBody,
        headers: { 'retry-after': String(exception.retryAfterSeconds) },
      };
    }
    if (exception instanceof RangeNotSatisfiableError) {
      return {
        status: 416,
        body: exception.getResponse() as ApiErrorBody,
        headers: { 'content-range': `bytes */${exception.size}` },
      };
    }
    if (exception instanceof ApiError) {
      return { status: exception.getStatus(), body: exception.getResponse() as ApiErrorBody };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_OF_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad_request');
      return {
        status,
        body: { error: { code, message: exception.message } },
        ...(status === 503 ? { headers: { 'retry-after': retryAfter } } : {}),
      };
    }
    if (exception instanceof ObjectNotFoundError) {
      // The catalogue lists it but the store does not have it (deleted by retention, or lost).
      return {
        status: 404,
        body: { error: { code: 'not_found', message: 'the recording data is not in the store' } },
      };
    }
    if (exception instanceof InvalidRangeError) {
      return {
        status: 416,
        body: { error: { code: 'range_not_satisfiable', message: exception.message } },
      };
    }
    if (exception instanceof SchemaValidationError) {
      return {
        status: 400,
        body: { error: { code: 'validation', message: summariseSchemaIssues(exception) } },
      };
    }
    if (
      exception instanceof RequestTimeoutError ||
      exception instanceof MessagingUnavailableError ||
      isTransientInfrastructureError(exception)
    ) {
      this.logger.warn(
        `${request.method} ${routeOf(request)}: answering 503: ${errorText(exception)}`,
      );
      return {
        status: 503,
        body: { error: { code: 'unavailable', message: 'temporarily unavailable; retry later' } },
        headers: { 'retry-after': retryAfter },
      };
    }
    this.logger.error(
      `${request.method} ${routeOf(request)} failed`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
  }
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unknown route';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `field.path: reason` for the first problem of a message that failed its schema. */
function summariseSchemaIssues(error: SchemaValidationError): string {
  const issue = error.issues[0];
  if (!issue) return error.message;
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${path}: ${issue.message}`;
}
