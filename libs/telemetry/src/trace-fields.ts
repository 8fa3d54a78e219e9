/** Log fields that tie a log line to its trace; empty outside a span. */
import { isSpanContextValid, trace, type Span } from '@opentelemetry/api';

export interface TraceFields {
  trace_id?: string;
  span_id?: string;
}

export function traceFieldsOf(span: Span | undefined): TraceFields {
  const spanContext = span?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** The pino mixin: fields of the span active where the log call is made. */
export function activeTraceFields(): TraceFields {
  return traceFieldsOf(trace.getActiveSpan());
}
