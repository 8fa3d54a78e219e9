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

type EntryState = 'blocked' | 'ready' | 'waiting' | 'in-flight';

interface Pending {
  readonly item: SpoolItem;
  readonly lane: Lane;
  readonly barrier: boolean;
  /** Segments of one recording go one at a time. */
  readonly recording: string | undefined;
  state: EntryState;
  attempts: number;
  notBefore: number;
}

/** One session's items still waiting for an acknowledgement, in spool order. */
class Lane {
  readonly entries: Pending[] = [];
  barriers = 0;
  readonly segments = new Map<string, number>();

  constructor(readonly name: string) {}
}

/**
 * Entries whose backoff has not run out, earliest first: a binary min-heap, so an outage
 * that puts thousands of items into backoff costs log n per item, not a scan per wake-up.
 */
class BackoffQueue {
  private readonly heap: Pending[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): Pending | undefined {
    return this.heap[0];
  }

  push(entry: Pending): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.notBefore <= entry.notBefore) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  pop(): Pending | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && heap[right]!.notBefore < heap[left]!.notBefore ? right : left;
      if (heap[child]!.notBefore >= last.notBefore) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

export class Uploader {
  readonly stats = new UploadStats();
  private readonly lanes = new Map<string, Lane>();
  /** Entries that may go now, in the order they became eligible. */
  private ready: Pending[] = [];
  private readyHead = 0;
  private readonly backoff = new BackoffQueue();
  private pendingCount = 0;
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
    const { kind, lane: laneName, recordingId } = item.meta;
    let lane = this.lanes.get(laneName);
    if (!lane) {
      lane = new Lane(laneName);
      this.lanes.set(laneName, lane);
    }
    const entry: Pending = {
      item,
      lane,
      barrier: BARRIER_KINDS.has(kind),
      recording: kind === 'segment' ? (recordingId ?? '') : undefined,
      state: 'blocked',
      attempts: 0,
      notBefore: 0,
    };
    // A barrier goes when nothing earlier in its session is queued; anything else when no
    // barrier is queued before it and, for a segment, no earlier segment of its recording.
    const eligible = entry.barrier
      ? lane.entries.length === 0
      : lane.barriers === 0 &&
        (entry.recording === undefined || !lane.segments.get(entry.recording));
    lane.entries.push(entry);
    if (entry.barrier) lane.barriers += 1;
    if (entry.recording !== undefined) {
      lane.segments.set(entry.recording, (lane.segments.get(entry.recording) ?? 0) + 1);
    }
    this.pendingCount += 1;
    if (eligible) this.makeReady(entry);
    this.pump();
  }

  get queued(): number {
    return this.pendingCount;
  }

  get active(): number {
    return this.inFlight;
  }

  /** Resolves when nothing is queued (or the uploader was stopped). */
  idle(): Promise<void> {
    if (this.pendingCount === 0 || this.stopped) return Promise.resolve();
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

  private makeReady(entry: Pending): void {
    if (entry.state !== 'blocked') return;
    entry.state = 'ready';
    this.ready.push(entry);
  }

  /** Starts ready entries up to the concurrency; each step is O(1). */
  private pump(): void {
    if (this.stopped) return;
    while (this.inFlight < this.options.concurrency && this.readyHead < this.ready.length) {
      const entry = this.ready[this.readyHead]!;
      this.readyHead += 1;
      entry.state = 'in-flight';
      this.inFlight += 1;
      this.attempt(entry).catch((error: unknown) => {
        // The spool could not forget an acknowledged item: it will be sent again after a
        // restart, which ingest answers as already stored. Keep going.
        this.options.log?.(`spool: ${(error as Error).message}`);
      });
    }
    if (this.readyHead === this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
    } else if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
  }

  /** Puts an entry into backoff and makes sure a timer wakes the earliest one. */
  private deferUntil(entry: Pending, notBefore: number): void {
    entry.state = 'waiting';
    entry.notBefore = notBefore;
    this.backoff.push(entry);
    this.scheduleWake();
  }

  private scheduleWake(): void {
    const next = this.backoff.peek();
    if (!next || this.stopped || next.notBefore >= this.wakeAt) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = next.notBefore;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeAt = Infinity;
        const now = Date.now();
        for (
          let due = this.backoff.peek();
          due && due.notBefore <= now;
          due = this.backoff.peek()
        ) {
          this.backoff.pop();
          due.state = 'blocked';
          this.makeReady(due);
        }
        this.scheduleWake();
        this.pump();
      },
      Math.max(0, next.notBefore - Date.now()),
    );
  }

  /**
   * An entry left its session's queue: whatever it held back may go now. A barrier holds
   * back everything after it; a segment the next segment of its recording; anything
   * may have held back a barrier that is now first.
   */
  private leave(entry: Pending): void {
    const { lane } = entry;
    const index = lane.entries.indexOf(entry);
    if (index !== -1) lane.entries.splice(index, 1);
    this.pendingCount -= 1;
    if (entry.barrier) lane.barriers -= 1;
    if (entry.recording !== undefined) {
      const left = (lane.segments.get(entry.recording) ?? 1) - 1;
      if (left === 0) lane.segments.delete(entry.recording);
      else lane.segments.set(entry.recording, left);
    }
    if (lane.entries.length === 0) {
      this.lanes.delete(lane.name);
      return;
    }
    const first = lane.entries[0]!;
    if (first.barrier) {
      this.makeReady(first);
      return;
    }
    if (!entry.barrier && entry.recording === undefined) return;
    // Release up to the next barrier: after a barrier, everything; after a segment, the
    // next segment of its recording.
    const seen = new Set<string>();
    for (const next of lane.entries) {
      if (next.barrier) break;
      if (next.recording !== undefined) {
        if (seen.has(next.recording)) continue;
        seen.add(next.recording);
      }
      if (entry.barrier || next.recording === entry.recording) this.makeReady(next);
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
      // Spooled JSON is sent as it was written: no parse and stringify per attempt.
      ...(meta.json ? { jsonBody: item.body } : { body: item.body }),
    });
    const elapsed = performance.now() - started;
    if (outcome.kind === 'retry') {
      this.inFlight -= 1;
      this.stats.failure(outcome.status === null ? outcome.reason : String(outcome.status));
      this.deferUntil(
        entry,
        Date.now() +
          retryDelay(entry.attempts, outcome.retryAfterMs, this.options.backoff ?? DEFAULT_BACKOFF),
      );
      this.pump();
      return;
    }
    if (outcome.kind === 'rejected' && outcome.status === 401) {
      entry.state = 'blocked';
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
      this.leave(entry);
      if (outcome.kind === 'rejected') this.options.onRejected?.(item, outcome);
      if (this.pendingCount === 0) this.resolveIdle();
      this.pump();
    }
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
