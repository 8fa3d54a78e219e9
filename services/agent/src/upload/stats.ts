/**
 * What the uploader did, as counters and latency samples: the simulator's progress
 * line and final summary (the benchmark's figures) are read from here.
 */
import type { SpoolKind } from '../spool/spool-item';

export interface Latency {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface KindCounts {
  /** Items handed to the uploader (spooled). */
  spooled: number;
  /** Items acknowledged by ingest (2xx, including 200 already stored). */
  acked: number;
  /** Segments ingest already had with the same bytes (200). */
  alreadyStored: number;
  /** Items ingest refused for good (4xx other than 408/429); removed from the spool. */
  rejected: number;
  /** Events or samples inside acknowledged batches (1 per item otherwise). */
  ackedUnits: number;
  spooledUnits: number;
  bytes: number;
  ackedBytes: number;
}

const emptyCounts = (): KindCounts => ({
  spooled: 0,
  acked: 0,
  alreadyStored: 0,
  rejected: 0,
  ackedUnits: 0,
  spooledUnits: 0,
  bytes: 0,
  ackedBytes: 0,
});

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

export class UploadStats {
  readonly byKind = new Map<SpoolKind, KindCounts>();
  private readonly latencies = new Map<SpoolKind, number[]>();
  private readonly deliveries = new Map<SpoolKind, number[]>();
  attempts = 0;
  retries = 0;
  /** POST /batches requests (each counts its batches in `attempts` too). */
  combinedRequests = 0;
  /** Failed attempts by HTTP status or network error code. */
  readonly failures = new Map<string, number>();
  recovered = 0;

  counts(kind: SpoolKind): KindCounts {
    let counts = this.byKind.get(kind);
    if (!counts) {
      counts = emptyCounts();
      this.byKind.set(kind, counts);
    }
    return counts;
  }

  /** How long ingest took to answer the request that acknowledged an item. */
  latency(kind: SpoolKind, ms: number): void {
    sampleInto(this.latencies, kind, ms);
  }

  /** From the uploader being given an item to its acknowledgement (waiting included). */
  delivery(kind: SpoolKind, ms: number): void {
    sampleInto(this.deliveries, kind, ms);
  }

  failure(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  latencySummary(kind: SpoolKind): Latency {
    return summarise(this.latencies.get(kind));
  }

  deliverySummary(kind: SpoolKind): Latency {
    return summarise(this.deliveries.get(kind));
  }
}

function sampleInto(samples: Map<SpoolKind, number[]>, kind: SpoolKind, ms: number): void {
  let list = samples.get(kind);
  if (!list) {
    list = [];
    samples.set(kind, list);
  }
  list.push(ms);
}

function summarise(samples: readonly number[] | undefined): Latency {
  const sorted = [...(samples ?? [])].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}
