/**
 * Starts OpenTelemetry for a service before Nest boots: a tracer provider (W3C trace
 * context, OTLP export only when a collector is configured) and a meter provider read by
 * the service's own GET /metrics, so no second port is opened.
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  AlwaysOnSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { registerProcessMetrics } from './process-metrics';

export interface TelemetryOptions {
  readonly serviceName: string;
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); traces go to `<base>/v1/traces`. */
  readonly otlpEndpoint?: string | undefined;
  readonly metricsEnabled: boolean;
  readonly serviceVersion?: string | undefined;
}

export interface TelemetryHandle {
  readonly serviceName: string;
  readonly tracerProvider: NodeTracerProvider;
  /** Undefined when metrics are disabled. */
  readonly meterProvider: MeterProvider | undefined;
  readonly prometheus: PrometheusExporter | undefined;
  /** Flushes pending spans and unregisters the global providers. */
  shutdown(): Promise<void>;
}

export class TelemetryAlreadyStartedError extends Error {
  override readonly name = 'TelemetryAlreadyStartedError';
  constructor() {
    super('startTelemetry() was already called; shut the previous handle down first');
  }
}

let current: TelemetryHandle | undefined;

/** The running telemetry, if `startTelemetry` was called (used by GET /metrics). */
export function activeTelemetry(): TelemetryHandle | undefined {
  return current;
}

export function otlpTracesUrl(endpoint: string): string {
  return new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).href;
}

/**
 * With a collector, every span is recorded (a sampled caller's decision is kept). Without
 * one nothing would read a recorded span, so spans are not recorded: they still carry
 * trace and span ids, which the logs show and NATS headers pass on, but skip the
 * attributes, timings and events. In ingest that was an eighth of the CPU per event
 * batch. Their traceparent then says "not sampled": give every service of an
 * installation the same collector setting, or a service that exports keeps no spans
 * under a caller that does not.
 */
export function samplerFor(otlpEndpoint: string | undefined): Sampler {
  return otlpEndpoint
    ? new ParentBasedSampler({ root: new AlwaysOnSampler() })
    : new AlwaysOffSampler();
}

export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  if (current) throw new TelemetryAlreadyStartedError();
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: options.serviceName,
    ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
  });

  const spanProcessors: SpanProcessor[] = options.otlpEndpoint
    ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(options.otlpEndpoint) }))]
    : [];
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors,
    sampler: samplerFor(options.otlpEndpoint),
  });
  tracerProvider.register({ propagator: new W3CTraceContextPropagator() });

  let meterProvider: MeterProvider | undefined;
  let prometheus: PrometheusExporter | undefined;
  let stopProcessMetrics = (): void => undefined;
  if (options.metricsEnabled) {
    prometheus = new PrometheusExporter({ preventServerStart: true });
    meterProvider = new MeterProvider({ resource, readers: [prometheus] });
    metrics.setGlobalMeterProvider(meterProvider);
    stopProcessMetrics = registerProcessMetrics(meterProvider.getMeter('@sessionrec/telemetry'));
  }

  const handle: TelemetryHandle = {
    serviceName: options.serviceName,
    tracerProvider,
    meterProvider,
    prometheus,
    async shutdown() {
      if (current !== handle) return;
      current = undefined;
      stopProcessMetrics();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider?.shutdown()]);
      trace.disable();
      propagation.disable();
      context.disable();
      metrics.disable();
    },
  };
  current = handle;
  return handle;
}
