/**
 * One server span per HTTP request, continuing the caller's W3C trace context, named by
 * route (never by raw URL, which may hold share tokens). Handlers run inside the span, so
 * their logs and NATS publishes carry its trace id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Observable } from 'rxjs';

const TRACER = '@sessionrec/telemetry';
/** Operational endpoints are scraped constantly; tracing them is noise. */
const UNTRACED = /^\/(health\/|metrics$)/;

const requestSpans = new WeakMap<IncomingMessage, Span>();

/** The server span of a raw request, for the request-completed log line. */
export function spanOfRequest(request: IncomingMessage): Span | undefined {
  return requestSpans.get(request);
}

interface PlatformRequest {
  raw?: IncomingMessage;
  method?: string;
  headers: IncomingMessage['headers'];
  routeOptions?: { url?: string };
  route?: { path?: string };
  baseUrl?: string;
}

interface PlatformResponse {
  raw?: ServerResponse;
}

function routeOf(request: PlatformRequest): string | undefined {
  if (request.routeOptions?.url !== undefined) return request.routeOptions.url;
  if (request.route?.path !== undefined) return `${request.baseUrl ?? ''}${request.route.path}`;
  return undefined;
}

@Injectable()
export class HttpTracingInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'http') return next.handle();
    const http = execution.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    const response = http.getResponse<PlatformResponse>();
    const route = routeOf(request) ?? '(unmatched)';
    if (UNTRACED.test(route)) return next.handle();

    const rawRequest = request.raw ?? (request as unknown as IncomingMessage);
    const rawResponse = response.raw ?? (response as unknown as ServerResponse);
    const method = (request.method ?? 'GET').toUpperCase();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = trace.getTracer(TRACER).startSpan(
      `${method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': method, 'http.route': route },
      },
      parent,
    );
    requestSpans.set(rawRequest, span);

    const end = (): void => {
      rawResponse.off('finish', end);
      rawResponse.off('close', end);
      const status = rawResponse.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    rawResponse.once('finish', end);
    rawResponse.once('close', end);

    // Nest binds the handler's async context when handle() is called, so call it inside.
    return context.with(trace.setSpan(parent, span), () => next.handle());
  }
}
