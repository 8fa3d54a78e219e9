/**
 * Sends spooled items to ingest with bounded concurrency and keeps the order a session
 * needs: a start/stop/end request waits for everything spooled before it in its
 * session and holds back everything after it; segments of one recording go one at a
 * time in sequence; event and metric batches go in parallel. Transient failures are
 * retried with backoff (Retry-After honoured); an item leaves the spool only when
 * ingest acknowledged it, or refused it for good.
 */
import { performance } from 'node:perf_hooks';
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelay } from '../http/backoff';
import type { IngestClient, Outcome } from '../http/ingest-client';
import type { Spool } from '../spool/spool';
import { BARRIER_KINDS, type SpoolItem } from '../spool/spool-item';
import { UploadStats } from './stats';

export interface UploaderOptions {
  readonly client: Pick<IngestClient, 'send'>;
  readonly spool: Spool;
  readonly concurrency: number;
  readonly backoff?: BackoffPolicy;
  readonly log?: (line: string) => void;
  /** Called when ingest acknowledged an item (before it leaves the spool). */
  readonly onAcked?: (item: SpoolItem, status: number) => void;
  /**
   * Called when ingest no longer accepts the agent's credential (401): nothing can be
   * sent any more, so the uploader stops and keeps every item in the spool.
   */
  readonly onUnauthorized?: (reason: string) => void;
  /** Called when ingest refuses an item for good (after it left the spool). */
  readonly onRejected?: (item: SpoolItem, outcome: Outcome & { kind: 'rejected' }) => void;
}

interface Pending {
  readonly item: SpoolItem;
  attempts: number;
  notBefore: number;
  inFlight: boolean;
}

export class Uploader {
  readonly stats = new UploadStats();
  private readonly pending: Pending[] = [];
  private inFlight = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly options: UploaderOptions) {}

  /** Queues an item that is already in the spool. */
  enqueue(item: SpoolItem, recovered = false): void {
    const counts = this.stats.counts(item.meta.kind);
    counts.spooled += 1;
    counts.spooledUnits += item.meta.count;
    counts.bytes += item.body.length;
    if (recovered) this.stats.recovered += 1;
    this.pending.push({ item, attempts: 0, notBefore: 0, inFlight: false });
    this.pump();
  }

  get queued(): number {
    return this.pending.length;
  }

  get active(): number {
    return this.inFlight;
  }

  /** Resolves when nothing is queued (or the uploader was stopped). */
  idle(): Promise<void> {
    if (this.pending.length === 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops starting new requests; what is in flight finishes, the rest stays spooled. */
  stop(): void {
    this.stopped = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = Infinity;
    this.resolveIdle();
  }

  /**
   * Starts every item that may go now, oldest first, in one pass: an item may go when
   * nothing earlier in its session is a barrier (a barrier: when nothing earlier in its
   * session is queued at all) and, for a segment, no earlier segment of its recording
   * is queued.
   */
  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    let nextWake = Infinity;
    const lanesSeen = new Set<string>();
    const lanesBlocked = new Set<string>();
    const recordingsSeen = new Set<string>();
    for (const entry of this.pending) {
      if (this.inFlight >= this.options.concurrency) break;
      const { kind, lane, recordingId } = entry.item.meta;
      const barrier = BARRIER_KINDS.has(kind);
      const segmentKey = kind === 'segment' ? `${lane}/${recordingId ?? ''}` : undefined;
      const eligible = barrier
        ? !lanesSeen.has(lane)
        : !lanesBlocked.has(lane) && (segmentKey === undefined || !recordingsSeen.has(segmentKey));
      lanesSeen.add(lane);
      if (barrier) lanesBlocked.add(lane);
      if (segmentKey !== undefined) recordingsSeen.add(segmentKey);
      if (!eligible || entry.inFlight) continue;
      if (entry.notBefore > now) {
        nextWake = Math.min(nextWake, entry.notBefore);
        continue;
      }
      entry.inFlight = true;
      this.inFlight += 1;
      this.attempt(entry).catch((error: unknown) => {
        // The spool could not forget an acknowledged item: it will be sent again after a
        // restart, which ingest answers as already stored. Keep going.
        this.options.log?.(`spool: ${(error as Error).message}`);
      });
    }
    if (nextWake < this.wakeAt) {
      if (this.wakeTimer) clearTimeout(this.wakeTimer);
      this.wakeAt = nextWake;
      this.wakeTimer = setTimeout(() => {
        this.wakeTimer = undefined;
        this.wakeAt = Infinity;
        this.pump();
      }, nextWake - now);
    }
  }

  private async attempt(entry: Pending): Promise<void> {
    const { item } = entry;
    const { meta } = item;
    this.stats.attempts += 1;
    if (entry.attempts > 0) this.stats.retries += 1;
    entry.attempts += 1;
    const started = performance.now();
    const outcome = await this.options.client.send({
      method: meta.method,
      path: meta.path,
      headers: meta.headers,
      ...(meta.json
        ? { json: JSON.parse(item.body.toString('utf8')) as unknown }
        : { body: item.body }),
    });
    const elapsed = performance.now() - started;
    if (outcome.kind === 'retry') {
      entry.inFlight = false;
      this.inFlight -= 1;
      this.stats.failure(outcome.status === null ? outcome.reason : String(outcome.status));
      entry.notBefore =
        Date.now() +
        retryDelay(entry.attempts, outcome.retryAfterMs, this.options.backoff ?? DEFAULT_BACKOFF);
      this.pump();
      return;
    }
    if (outcome.kind === 'rejected' && outcome.status === 401) {
      entry.inFlight = false;
      this.inFlight -= 1;
      this.stats.failure(`401 ${outcome.code}`);
      this.stop();
      this.options.onUnauthorized?.(outcome.reason);
      return;
    }
    const counts = this.stats.counts(meta.kind);
    if (outcome.kind === 'ok') {
      counts.acked += 1;
      counts.ackedUnits += meta.count;
      counts.ackedBytes += item.body.length;
      if (meta.kind === 'segment' && outcome.status === 200) counts.alreadyStored += 1;
      this.stats.latency(meta.kind, elapsed);
      this.options.onAcked?.(item, outcome.status);
    } else {
      counts.rejected += 1;
      this.stats.failure(`${outcome.status} ${outcome.code}`);
      this.options.log?.(
        `ingest refused ${meta.method} ${meta.path}: ${outcome.status} ${outcome.code} ${outcome.reason}`,
      );
    }
    try {
      await this.options.spool.remove(item);
    } finally {
      // Only now does the item stop holding back later items of its session.
      this.inFlight -= 1;
      this.pending.splice(this.pending.indexOf(entry), 1);
      if (outcome.kind === 'rejected') this.options.onRejected?.(item, outcome);
      if (this.pending.length === 0) this.resolveIdle();
      this.pump();
    }
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
