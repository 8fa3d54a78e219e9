import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  TraceFlags,
  type SpanContext,
} from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { samplerFor, startTelemetry } from './sdk';

const parent: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};

describe('tracing without and with a collector', () => {
  it('records spans only when a collector is configured', () => {
    const decide = (endpoint: string | undefined) =>
      samplerFor(endpoint).shouldSample(
        trace.setSpanContext(ROOT_CONTEXT, parent),
        parent.traceId,
        'work',
        SpanKind.SERVER,
        {},
        [],
      ).decision;
    expect(decide(undefined)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide('http://collector:4318')).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('still gives unrecorded spans ids that continue the caller trace, for logs and headers', async () => {
    const telemetry = startTelemetry({ serviceName: 'sdk-test', metricsEnabled: false });
    try {
      const span = trace
        .getTracer('test')
        .startSpan('work', {}, trace.setSpanContext(ROOT_CONTEXT, parent));
      expect(span.isRecording()).toBe(false);
      expect(span.spanContext().traceId).toBe(parent.traceId);
      expect(span.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(span.spanContext().spanId).not.toBe(parent.spanId);
      // Active inside context.with, as the request logger and NATS headers read it.
      context.with(trace.setSpan(ROOT_CONTEXT, span), () => {
        expect(trace.getActiveSpan()?.spanContext().traceId).toBe(parent.traceId);
      });
      span.end();
    } finally {
      await telemetry.shutdown();
    }
  });
});
