/**
 * W3C trace context over NATS headers, so one trace runs from a publisher through
 * every consumer. The API is the global OpenTelemetry one: without an SDK registered
 * these calls are no-ops and cost nothing.
 */
import type { MsgHdrs } from '@nats-io/nats-core';
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { errorMessage } from './errors';

const TRACER = '@sessionrec/messaging';

const setter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

const getter: TextMapGetter<MsgHdrs | undefined> = {
  get(carrier, key) {
    if (!carrier?.has(key)) return undefined;
    return carrier.get(key);
  },
  keys(carrier) {
    return carrier ? carrier.keys() : [];
  },
};

/** Writes the active trace context (traceparent, tracestate) into the headers. */
export function injectTraceContext(headers: MsgHdrs, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, setter);
}

export function extractTraceContext(headers: MsgHdrs | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}

/**
 * Runs `fn` inside a new span (active for its duration) and ends it with the outcome.
 * `parent` defaults to the active context; consumers pass the extracted one.
 */
export async function inSpan<R>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  fn: (span: Span) => Promise<R>,
  parent: Context = context.active(),
): Promise<R> {
  const span = trace.getTracer(TRACER).startSpan(name, { kind, attributes }, parent);
  return runInSpan(span, parent, fn);
}

/**
 * Runs `fn` inside a new consumer span for a batch of messages: a root span (the messages
 * may belong to as many traces) linked to each message's producer span. The links are
 * extracted only when the span is recorded.
 */
export async function inBatchSpan<R>(
  name: string,
  attributes: Attributes,
  parents: () => Context[],
  fn: (span: Span) => Promise<R>,
): Promise<R> {
  const span = trace
    .getTracer(TRACER)
    .startSpan(name, { kind: SpanKind.CONSUMER, attributes, root: true }, ROOT_CONTEXT);
  if (span.isRecording()) {
    const links: Link[] = [];
    for (const parent of parents()) {
      const linked = trace.getSpanContext(parent);
      if (linked && isSpanContextValid(linked)) links.push({ context: linked });
    }
    if (links.length > 0) span.addLinks(links);
  }
  return runInSpan(span, ROOT_CONTEXT, fn);
}

/** Runs `fn` with `span` active under `parent` and ends the span with the outcome. */
async function runInSpan<R>(
  span: Span,
  parent: Context,
  fn: (span: Span) => Promise<R>,
): Promise<R> {
  try {
    const result = await context.with(trace.setSpan(parent, span), () => fn(span));
    span.setStatus({ code: SpanStatusCode.OK });
    return result;
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
    if (err instanceof Error) span.recordException(err);
    throw err;
  } finally {
    span.end();
  }
}

export { SpanKind };
