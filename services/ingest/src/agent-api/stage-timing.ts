/**
 * How long each step of an agent request waits: the object store write, the JetStream
 * publish until its PubAck, the catalogue row. Exported as one histogram
 * (`ingest.stage.duration`, seconds, by `stage`) beside the per-route request duration,
 * so a slow p99 can be traced to the step that holds it (the benchmark prints both).
 */
import { lateHistogram } from '@sessionrec/telemetry';

export type Stage = 'segment.store' | 'segment.publish' | 'segment.row' | 'batch.publish';

const stageDuration = lateHistogram('@sessionrec/ingest', 'ingest.stage.duration', {
  unit: 's',
  description: 'Time one step of an agent request took (store write, publish to PubAck, row)',
  advice: {
    explicitBucketBoundaries: [
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ],
  },
});

/** Runs one step and records how long it took, whether it succeeded or failed. */
export async function timed<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    stageDuration.record((performance.now() - started) / 1000, { stage });
  }
}
