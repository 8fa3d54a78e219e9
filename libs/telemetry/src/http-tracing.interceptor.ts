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
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Observable } from 'rxjs';
import { lateHistogram } from './late-histogram';

const TRACER = '@sessionrec/telemetry';
/** Operational endpoints are scraped constantly; tracing them is noise. */
const UNTRACED = /^\/(health\/|metrics$)/;

const requestSpans = new WeakMap<IncomingMessage, Span>();

/**
 * Server-side request duration (OpenTelemetry's http.server.request.duration, seconds),
 * by method, route and status: what a service's clients wait for, measured where it is
 * spent, so a benchmark's load generator cannot inflate it.
 */
const requestDuration = lateHistogram(TRACER, 'http.server.request.duration', {
  unit: 's',
  description: 'Duration of HTTP requests handled by this service',
  advice: {
    explicitBucketBoundaries: [
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10,
    ],
  },
});

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

/**
 * Starts the server span of one request (continuing the caller's trace context) and ends
 * it, recording the duration histogram, when the response finishes or the connection
 * drops. Returns the context to run the handler in, so its logs and publishes carry the
 * span. Used by the interceptor, and directly by routes registered on Fastify itself
 * (ingest's hot agent routes), which Nest's interceptors never see.
 */
export function traceHttpRequest(
  rawRequest: IncomingMessage,
  rawResponse: ServerResponse,
  method: string,
  route: string,
): Context {
  const parent = propagation.extract(ROOT_CONTEXT, rawRequest.headers);
  const span = trace.getTracer(TRACER).startSpan(
    `${method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'http.route': route },
    },
    parent,
  );
  requestSpans.set(rawRequest, span);
  const started = performance.now();

  const end = (): void => {
    rawResponse.off('finish', end);
    rawResponse.off('close', end);
    const status = rawResponse.statusCode;
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    requestDuration.record((performance.now() - started) / 1000, {
      'http.request.method': method,
      'http.route': route,
      'http.response.status_code': status,
    });
  };
  rawResponse.once('finish', end);
  rawResponse.once('close', end);
  return trace.setSpan(parent, span);
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
    const spanContext = traceHttpRequest(rawRequest, rawResponse, method, route);
    // Nest binds the handler's async context when handle() is called, so call it inside.
    return context.with(spanContext, () => next.handle());
  }
}
