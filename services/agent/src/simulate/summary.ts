/**
 * The simulator's result: a stable, versioned shape the benchmark reads (from
 * `runSimulation` or from `sessionrec-agent simulate --json`), and its one-line text form.
 */
import type { ControlStats } from '../control/control-client';
import type { SpoolKind } from '../spool/spool-item';
import type { Latency, UploadStats } from '../upload/stats';

export const SUMMARY_VERSION = 1;

export interface ItemSummary {
  /** Requests spooled for sending. */
  readonly sent: number;
  readonly acked: number;
  readonly rejected: number;
}

export interface SimulationSummary {
  readonly version: typeof SUMMARY_VERSION;
  readonly agentId: string;
  readonly ingest: string;
  readonly settings: {
    readonly sessions: number;
    readonly durationSeconds: number;
    readonly kind: string;
    readonly segmentSeconds: number;
    readonly rampUpSeconds: number;
    readonly eventRate: number;
    readonly speed: number;
    readonly uploadConcurrency: number;
  };
  readonly wallMs: number;
  readonly sessions: { readonly started: number; readonly ended: number };
  readonly recordings: { readonly started: number; readonly stopped: number };
  readonly segments: ItemSummary & {
    readonly alreadyStored: number;
    readonly bytes: number;
    readonly ackedBytes: number;
  };
  readonly events: ItemSummary & { readonly batches: number; readonly batchesAcked: number };
  readonly metrics: ItemSummary & { readonly batches: number; readonly batchesAcked: number };
  readonly requests: {
    readonly attempts: number;
    readonly retries: number;
    /** POST /batches requests sent, each carrying event and metric batches of several sessions. */
    readonly combined: number;
    /** Failed attempts by HTTP status (with error code when refused) or network error. */
    readonly failures: Record<string, number>;
  };
  /** Round trip of acknowledged requests, per request kind, in milliseconds. */
  readonly latencyMs: Partial<Record<SpoolKind, Latency>>;
  /** From spooled to acknowledged (waiting for a request slot included), per kind. */
  readonly deliveryMs: Partial<Record<SpoolKind, Latency>>;
  readonly control: ControlStats | null;
  readonly spool: {
    readonly dir: string;
    readonly recovered: number;
    readonly remaining: number;
    readonly remainingBytes: number;
  };
  /** Requests ingest refused for good plus requests still unacknowledged at the end. */
  readonly errors: number;
  /**
   * How late the simulator's own event loop ran (p99 and worst, ms): its latencies above
   * include this much of its own delay.
   */
  readonly loopDelayMs: { readonly p99: number; readonly max: number };
}

export function buildSummary(input: {
  agentId: string;
  ingest: string;
  settings: SimulationSummary['settings'];
  wallMs: number;
  stats: UploadStats;
  control: ControlStats | null;
  spool: { dir: string; remaining: number; remainingBytes: number };
  loopDelayMs: { p99: number; max: number };
}): SimulationSummary {
  const { stats } = input;
  const c = (kind: SpoolKind) => stats.counts(kind);
  const latencyMs: Partial<Record<SpoolKind, Latency>> = {};
  const deliveryMs: Partial<Record<SpoolKind, Latency>> = {};
  for (const kind of stats.byKind.keys()) {
    latencyMs[kind] = stats.latencySummary(kind);
    deliveryMs[kind] = stats.deliverySummary(kind);
  }
  const rejected = [...stats.byKind.values()].reduce((sum, counts) => sum + counts.rejected, 0);
  return {
    version: SUMMARY_VERSION,
    agentId: input.agentId,
    ingest: input.ingest,
    settings: input.settings,
    wallMs: Math.round(input.wallMs),
    sessions: { started: c('session-start').acked, ended: c('session-end').acked },
    recordings: { started: c('recording-start').acked, stopped: c('recording-stop').acked },
    segments: {
      sent: c('segment').spooled,
      acked: c('segment').acked,
      rejected: c('segment').rejected,
      alreadyStored: c('segment').alreadyStored,
      bytes: c('segment').bytes,
      ackedBytes: c('segment').ackedBytes,
    },
    events: {
      sent: c('events').spooledUnits,
      acked: c('events').ackedUnits,
      rejected: c('events').rejected,
      batches: c('events').spooled,
      batchesAcked: c('events').acked,
    },
    metrics: {
      sent: c('metrics').spooledUnits,
      acked: c('metrics').ackedUnits,
      rejected: c('metrics').rejected,
      batches: c('metrics').spooled,
      batchesAcked: c('metrics').acked,
    },
    requests: {
      attempts: stats.attempts,
      retries: stats.retries,
      combined: stats.combinedRequests,
      failures: Object.fromEntries(stats.failures),
    },
    latencyMs,
    deliveryMs,
    control: input.control,
    spool: {
      dir: input.spool.dir,
      recovered: stats.recovered,
      remaining: input.spool.remaining,
      remainingBytes: input.spool.remainingBytes,
    },
    errors: rejected + input.spool.remaining,
    loopDelayMs: input.loopDelayMs,
  };
}

export function formatSummary(summary: SimulationSummary): string {
  const lat = (kind: SpoolKind) => {
    const l = summary.latencyMs[kind];
    return l ? `p50 ${l.p50} ms, p99 ${l.p99} ms` : 'n/a';
  };
  return [
    `agent ${summary.agentId}: ${summary.sessions.started} sessions started, ${summary.sessions.ended} ended in ${(summary.wallMs / 1000).toFixed(1)} s`,
    `segments: ${summary.segments.acked}/${summary.segments.sent} acknowledged (${summary.segments.alreadyStored} already stored), ${summary.segments.ackedBytes} bytes; ${lat('segment')}`,
    `events:   ${summary.events.acked}/${summary.events.sent} acknowledged in ${summary.events.batchesAcked} batches; ${lat('events')}`,
    `metrics:  ${summary.metrics.acked}/${summary.metrics.sent} acknowledged; ${lat('metrics')}`,
    `requests: ${summary.requests.attempts} attempts (event and metric batches in ${summary.requests.combined} POST /batches requests), ${summary.requests.retries} retries; errors ${summary.errors}; spool left ${summary.spool.remaining} items`,
  ].join('\n');
}
