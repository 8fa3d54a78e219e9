/**
 * Sends spooled items to ingest with bounded concurrency and keeps the order a session
 * needs: a start/stop/end request waits for everything spooled before it in its
 * session and holds back everything after it; segments of one recording go one at a
 * time in sequence; event and metric batches go in parallel. Transient failures are
 * retried with backoff (Retry-After honoured); an item leaves the spool only when
 * ingest acknowledged it, or refused it for good.
 *
 * Event and metric batches of different sessions travel together in
 * `POST /agent/v1/batches`, at most a few such requests at a time: when they are all
 * under way, the batches that become ready wait for the next one (or go as soon as they
 * fill a request). A lightly loaded agent
 * so sends each batch at once, and a host with many busy sessions sends one request
 * where it would have sent dozens (ingest's cost is mostly per request). An ingest that
 * does not know the route (404/405) gets the per-session requests from then on.
 */
import { performance } from 'node:perf_hooks';
import { agentProtocol } from '@sessionrec/contracts';
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
  /** How event and metric batches are combined; false sends each on its own. */
  readonly combine?: CombineOptions | false;
}

export interface CombineOptions {
  /** Batches in one request (the protocol allows MAX_BATCHES_PER_REQUEST). */
  readonly maxItems: number;
  /** Body bytes of one request; a batch larger than this goes on its own. */
  readonly maxBytes: number;
  /**
   * Combined requests under way at once; what becomes ready meanwhile waits for the next,
   * unless a full request's worth is waiting (that one goes within the concurrency).
   */
  readonly maxInFlight: number;
}

export const DEFAULT_COMBINE: CombineOptions = {
  maxItems: agentProtocol.MAX_BATCHES_PER_REQUEST,
  maxBytes: 1024 * 1024,
  maxInFlight: 4,
};

/** The per-session batch routes whose items can travel in POST /batches. */
const BATCH_PATH = /^\/sessions\/([0-9a-fA-F-]{36})\/(events|metrics)$/;

type EntryState = 'blocked' | 'ready' | 'waiting' | 'in-flight';

interface Pending {
  readonly item: SpoolItem;
  readonly lane: Lane;
  readonly barrier: boolean;
  /** Segments of one recording go one at a time. */
  readonly recording: string | undefined;
  /** Set for an event or metric batch that may travel in POST /batches. */
  readonly batchOf: { readonly sessionId: string; readonly kind: 'events' | 'metrics' } | undefined;
  /** When the uploader was given the item (delivery latency is measured from here). */
  readonly queuedAt: number;
  state: EntryState;
  attempts: number;
  notBefore: number;
  /** Sent on its own from now on (ingest refused the combined request it was in). */
  alone: boolean;
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

/** A first-in first-out queue with O(1) take (the taken prefix is dropped now and then). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  take(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class Uploader {
  readonly stats = new UploadStats();
  private readonly lanes = new Map<string, Lane>();
  /** Entries that may go now, in the order they became eligible. */
  private readonly ready = new Fifo<Pending>();
  /** Event and metric batches that may go now, for the next combined request. */
  private readonly readyBatches = new Fifo<Pending>();
  private combine: CombineOptions | false;
  private combinedInFlight = 0;
  private readonly backoff = new BackoffQueue();
  private pendingCount = 0;
  private inFlight = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private unauthorized = false;

  constructor(private readonly options: UploaderOptions) {
    this.combine = options.combine === undefined ? DEFAULT_COMBINE : options.combine;
  }

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
    const batchPath =
      (kind === 'events' || kind === 'metrics') && item.meta.method === 'POST' && item.meta.json
        ? BATCH_PATH.exec(item.meta.path)
        : null;
    const entry: Pending = {
      item,
      lane,
      barrier: BARRIER_KINDS.has(kind),
      recording: kind === 'segment' ? (recordingId ?? '') : undefined,
      batchOf: batchPath
        ? { sessionId: batchPath[1]!, kind: kind as 'events' | 'metrics' }
        : undefined,
      queuedAt: performance.now(),
      state: 'blocked',
      attempts: 0,
      notBefore: 0,
      alone: false,
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
    if (this.combinable(entry)) this.readyBatches.push(entry);
    else this.ready.push(entry);
  }

  private combinable(entry: Pending): boolean {
    return (
      this.combine !== false &&
      entry.batchOf !== undefined &&
      !entry.alone &&
      entry.item.body.length <= this.combine.maxBytes
    );
  }

  /**
   * Starts ready work up to the concurrency, oldest first: a combined request for the
   * waiting batches when one may go, single requests for the rest (O(1) per item).
   */
  private pump(): void {
    if (this.stopped) return;
    while (this.inFlight < this.options.concurrency) {
      const batches = this.readyBatches.peek();
      const single = this.ready.peek();
      if (
        batches &&
        this.combine !== false &&
        // A full request may always go: a backlog must not wait on a few slots.
        (this.combinedInFlight < this.combine.maxInFlight ||
          this.readyBatches.size >= this.combine.maxItems) &&
        (!single || batches.queuedAt <= single.queuedAt)
      ) {
        const group = this.takeGroup(this.combine);
        if (group.length > 0) {
          this.inFlight += 1;
          this.combinedInFlight += 1;
          this.attemptGroup(group).catch((error: unknown) => {
            this.options.log?.(`spool: ${(error as Error).message}`);
          });
          continue;
        }
      }
      const entry = this.ready.take();
      if (!entry) return;
      entry.state = 'in-flight';
      this.inFlight += 1;
      this.attempt(entry).catch((error: unknown) => {
        // The spool could not forget an acknowledged item: it will be sent again after a
        // restart, which ingest answers as already stored. Keep going.
        this.options.log?.(`spool: ${(error as Error).message}`);
      });
    }
  }

  /** The next batches for one combined request, oldest first, within its limits. */
  private takeGroup(limits: CombineOptions): Pending[] {
    const group: Pending[] = [];
    let bytes = 0;
    for (let next = this.readyBatches.peek(); next; next = this.readyBatches.peek()) {
      if (next.state !== 'ready' || !this.combinable(next)) {
        // Sent on its own meanwhile (ingest refused a combined request it was in).
        this.readyBatches.take();
        if (next.state === 'ready') this.ready.push(next);
        continue;
      }
      const size = next.item.body.length + 80;
      if (group.length >= limits.maxItems || (group.length > 0 && bytes + size > limits.maxBytes))
        break;
      this.readyBatches.take();
      next.state = 'in-flight';
      group.push(next);
      bytes += size;
    }
    return group;
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

  private countAttempt(entry: Pending): void {
    this.stats.attempts += 1;
    if (entry.attempts > 0) this.stats.retries += 1;
    entry.attempts += 1;
  }

  private async attempt(entry: Pending): Promise<void> {
    const { meta } = entry.item;
    this.countAttempt(entry);
    const started = performance.now();
    const outcome = await this.options.client.send({
      method: meta.method,
      path: meta.path,
      headers: meta.headers,
      // Spooled JSON is sent as it was written: no parse and stringify per attempt.
      ...(meta.json ? { jsonBody: entry.item.body } : { body: entry.item.body }),
    });
    try {
      await this.settle(entry, outcome, performance.now() - started);
    } finally {
      this.inFlight -= 1;
      this.afterRequest();
    }
  }

  /**
   * One POST /batches for batches of several sessions; each batch is settled with its own
   * result. The body is put together from the spooled JSON bodies as they are.
   */
  private async attemptGroup(group: Pending[]): Promise<void> {
    for (const entry of group) this.countAttempt(entry);
    this.stats.combinedRequests += 1;
    const parts: Buffer[] = [Buffer.from('{"batches":[')];
    group.forEach((entry, index) => {
      const { sessionId, kind } = entry.batchOf!;
      parts.push(
        Buffer.from(
          `${index === 0 ? '' : ','}{"kind":"${kind}","sessionId":"${sessionId}","batch":`,
        ),
        entry.item.body,
        Buffer.from('}'),
      );
    });
    parts.push(Buffer.from(']}'));
    const started = performance.now();
    const outcome = await this.options.client.send({
      method: 'POST',
      path: '/batches',
      jsonBody: Buffer.concat(parts),
    });
    const elapsed = performance.now() - started;
    try {
      const outcomes = this.groupOutcomes(group, outcome);
      if (outcomes) {
        await Promise.all(group.map((entry, i) => this.settle(entry, outcomes[i]!, elapsed)));
      }
    } finally {
      this.inFlight -= 1;
      this.combinedInFlight -= 1;
      this.afterRequest();
    }
  }

  /**
   * Each batch's outcome from the combined answer, or undefined when the batches were put
   * back to go another way: per-session requests from now on if ingest does not know the
   * route (or answered it in a way this agent does not understand), on their own if it
   * refused the request as a whole (too large, malformed), so each gets its own answer.
   */
  private groupOutcomes(group: Pending[], outcome: Outcome): Outcome[] | undefined {
    const requeue = (): undefined => {
      for (const entry of group) {
        entry.state = 'blocked';
        this.makeReady(entry);
      }
      return undefined;
    };
    if (outcome.kind === 'rejected' && (outcome.status === 404 || outcome.status === 405)) {
      this.disableCombining(`ingest does not take combined batches (${outcome.status})`);
      return requeue();
    }
    if (outcome.kind === 'rejected' && outcome.status !== 401) {
      for (const entry of group) entry.alone = true;
      return requeue();
    }
    if (outcome.kind !== 'ok') return group.map(() => outcome);
    const answer = agentProtocol.batchesResponse.safeParse(outcome.body);
    if (!answer.success || answer.data.results.length !== group.length) {
      this.disableCombining('ingest answered combined batches in an unknown form');
      return requeue();
    }
    return answer.data.results.map((result): Outcome => {
      if (!('error' in result)) return { kind: 'ok', status: result.status, body: result };
      if (result.status === 429 || result.status === 408 || result.status >= 500) {
        return {
          kind: 'retry',
          status: result.status,
          ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
          reason: `${result.error.code}: ${result.error.message}`,
        };
      }
      return {
        kind: 'rejected',
        status: result.status,
        code: result.error.code,
        reason: result.error.message,
      };
    });
  }

  private disableCombining(reason: string): void {
    if (this.combine === false) return;
    this.combine = false;
    this.options.log?.(`${reason}: sending batches per session`);
    // What waits for a combined request goes the per-session way, in its order.
    for (let entry = this.readyBatches.take(); entry; entry = this.readyBatches.take()) {
      if (entry.state === 'ready') this.ready.push(entry);
    }
  }

  /**
   * Applies ingest's answer to one item: back into backoff to retry, or out of the spool
   * (acknowledged or refused for good). Resolves once that is done.
   */
  private async settle(entry: Pending, outcome: Outcome, elapsed: number): Promise<void> {
    const { item } = entry;
    const { meta } = item;
    if (outcome.kind === 'retry') {
      this.stats.failure(outcome.status === null ? outcome.reason : String(outcome.status));
      this.deferUntil(
        entry,
        Date.now() +
          retryDelay(entry.attempts, outcome.retryAfterMs, this.options.backoff ?? DEFAULT_BACKOFF),
      );
      return;
    }
    if (outcome.kind === 'rejected' && outcome.status === 401) {
      entry.state = 'blocked';
      this.stats.failure(`401 ${outcome.code}`);
      if (!this.unauthorized) {
        this.unauthorized = true;
        this.stop();
        this.options.onUnauthorized?.(outcome.reason);
      }
      return;
    }
    const counts = this.stats.counts(meta.kind);
    if (outcome.kind === 'ok') {
      counts.acked += 1;
      counts.ackedUnits += meta.count;
      counts.ackedBytes += item.body.length;
      if (meta.kind === 'segment' && outcome.status === 200) counts.alreadyStored += 1;
      this.stats.latency(meta.kind, elapsed);
      this.stats.delivery(meta.kind, performance.now() - entry.queuedAt);
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
      this.leave(entry);
      if (outcome.kind === 'rejected') this.options.onRejected?.(item, outcome);
    }
  }

  /** A request finished: wake idle waiters if all is done, and start what may go now. */
  private afterRequest(): void {
    if (this.pendingCount === 0) this.resolveIdle();
    this.pump();
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
