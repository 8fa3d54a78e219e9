/**
 * A histogram that may be declared at import time and records into whichever meter
 * provider is registered when it is used. The metrics API has no proxy provider: a meter
 * taken before startTelemetry registers the SDK would record nothing (and a restarted
 * telemetry gets a new provider), so the instrument is looked up per provider.
 */
import { type Attributes, type Histogram, type MetricOptions, metrics } from '@opentelemetry/api';

export interface LateHistogram {
  record(value: number, attributes?: Attributes): void;
}

export function lateHistogram(meter: string, name: string, options: MetricOptions): LateHistogram {
  const byProvider = new WeakMap<object, Histogram>();
  return {
    record(value, attributes) {
      const provider = metrics.getMeterProvider();
      let histogram = byProvider.get(provider);
      if (!histogram) {
        histogram = provider.getMeter(meter).createHistogram(name, options);
        byProvider.set(provider, histogram);
      }
      histogram.record(value, attributes);
    },
  };
}
