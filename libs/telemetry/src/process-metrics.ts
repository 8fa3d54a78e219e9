/**
 * A handful of process gauges worth having on every dashboard (memory, CPU, event-loop
 * delay); cheap enough to collect on each scrape without an instrumentation package.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Meter } from '@opentelemetry/api';

/** How often the event-loop monitor's timer samples the loop. */
const LOOP_SAMPLE_MS = 20;

/**
 * How late the monitor's timer ran, in seconds, from what its histogram recorded. Node
 * records the time between two runs of a timer due every `sampleMs`, so an idle loop
 * records ~20 ms: the delay is what exceeds the interval (as @fastify/under-pressure
 * reads it). Reporting the raw value made an idle service look 20 ms late.
 */
export function loopDelaySeconds(recordedNs: number, sampleMs = LOOP_SAMPLE_MS): number {
  return Math.max(0, recordedNs / 1e6 - sampleMs) / 1000;
}

/** Starts the gauges on `meter`; the returned function stops the event-loop monitor. */
export function registerProcessMetrics(meter: Meter): () => void {
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  loopDelay.enable();

  const rss = meter.createObservableGauge('process.memory.usage', {
    description: 'Resident set size',
    unit: 'By',
  });
  const heap = meter.createObservableGauge('nodejs.heap.used', {
    description: 'V8 heap in use',
    unit: 'By',
  });
  const cpu = meter.createObservableCounter('process.cpu.time', {
    description: 'CPU time spent by the process',
    unit: 's',
  });
  const delayP99 = meter.createObservableGauge('nodejs.eventloop.delay.p99', {
    description: 'Event-loop delay, 99th percentile since the previous scrape',
    unit: 's',
  });
  const delayMax = meter.createObservableGauge('nodejs.eventloop.delay.max', {
    description: 'Event-loop delay, maximum since the previous scrape',
    unit: 's',
  });

  meter.addBatchObservableCallback(
    (result) => {
      const memory = process.memoryUsage();
      result.observe(rss, memory.rss);
      result.observe(heap, memory.heapUsed);
      const usage = process.cpuUsage();
      result.observe(cpu, usage.user / 1e6, { 'cpu.mode': 'user' });
      result.observe(cpu, usage.system / 1e6, { 'cpu.mode': 'system' });
      if (loopDelay.count > 0) {
        result.observe(delayP99, loopDelaySeconds(loopDelay.percentile(99)));
        result.observe(delayMax, loopDelaySeconds(loopDelay.max));
      }
      loopDelay.reset();
    },
    [rss, heap, cpu, delayP99, delayMax],
  );

  return () => loopDelay.disable();
}
