/**
 * Every error an /agent/v1 route produces leaves as `{error:{code,message}}`: ours as
 * thrown, Fastify's (invalid JSON, body too large, unsupported type) and Nest's mapped by
 * status, infrastructure outages as 503 with Retry-After. Other routes of the process
 * (health, metrics) keep Nest's default answers.
 */
import {
  type ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { agentProtocol } from '@sessionrec/contracts';
import { MessagingUnavailableError, SchemaValidationError } from '@sessionrec/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { INGEST_CONFIG, type IngestConfig } from '../ingest-config';
import { ApiError, type ApiErrorBody, ServiceUnavailableError } from './api-errors';
import { isTransientInfrastructureError } from './store-errors';

const CODE_OF_STATUS: Record<number, string> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  503: 'unavailable',
};

@Catch()
export class AgentApiExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('AgentApi');

  constructor(@Inject(INGEST_CONFIG) private readonly config: IngestConfig) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      super.catch(exception, host);
      return;
    }
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (!request.url.startsWith(`${agentProtocol.AGENT_BASE_PATH}/`)) {
      super.catch(exception, host);
      return;
    }
    answerAgentError(
      exception,
      request,
      host.switchToHttp().getResponse<FastifyReply>(),
      this.config.INGEST_RETRY_AFTER_SECONDS,
      this.logger,
    );
  }
}

/** Answers a request that failed with the error's status, body and Retry-After. */
export function answerAgentError(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  retryAfterSeconds: number,
  logger: Pick<Logger, 'warn' | 'error'>,
): void {
  const { status, body, retryAfter } = describeAgentError(
    exception,
    `${request.method} ${request.routeOptions.url ?? 'unknown route'}`,
    retryAfterSeconds,
    logger,
  );
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  void reply.status(status).send(body);
}

/** The status and `{error:{code,message}}` an error answers with (logged when it is ours to fix). */
export interface AgentErrorAnswer {
  readonly status: number;
  readonly body: ApiErrorBody;
  readonly retryAfter?: number;
}

/**
 * What an /agent/v1 error answers, for a whole request (the filter) or one batch of a
 * combined request (POST /agent/v1/batches answers each batch on its own).
 */
export function describeAgentError(
  exception: unknown,
  where: string,
  retryAfter: number,
  logger: Pick<Logger, 'warn' | 'error'>,
): AgentErrorAnswer {
  if (exception instanceof ServiceUnavailableError) {
    return {
      status: 503,
      body: exception.getResponse() as ApiErrorBody,
      retryAfter: exception.retryAfterSeconds ?? retryAfter,
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
      ...(status === 503 ? { retryAfter } : {}),
    };
  }
  if (exception instanceof SchemaValidationError) {
    return {
      status: 400,
      body: { error: { code: 'validation', message: summariseSchemaIssues(exception) } },
    };
  }
  if (exception instanceof MessagingUnavailableError || isTransientInfrastructureError(exception)) {
    logger.warn(`${where}: answering 503: ${(exception as Error).message}`);
    return {
      status: 503,
      body: { error: { code: 'unavailable', message: 'temporarily unavailable; retry later' } },
      retryAfter,
    };
  }
  logger.error(`${where} failed`, exception instanceof Error ? exception.stack : String(exception));
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: { error: { code: 'internal', message: 'internal error' } },
  };
}

/** `field.path: reason` for the first problem of a message that failed its schema. */
function summariseSchemaIssues(error: SchemaValidationError): string {
  const issue = error.issues[0];
  if (!issue) return error.message;
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${path}: ${issue.message}`;
}
