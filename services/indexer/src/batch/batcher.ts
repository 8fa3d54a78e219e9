/**
 * Groups rows arriving one message at a time into one database write, so indexing keeps up
 * with ingest: `add` resolves when the row's batch committed (the message is acked only
 * then) and rejects when it failed (every member is redelivered).
 *
 * Rows go to lanes by key (the session): each lane runs at most two writes at once, so
 * batches of one session seldom queue on each other's row locks (session, applications,
 * word summary) and never pile up on them, while the other lanes write in parallel. A lane
 * writes a batch when it holds `maxRows`, when its oldest row has waited `maxDelayMs` while
 * the lane had a write free, or, when both are running, as soon as one ends (with what
 * arrived meanwhile, up to `maxRows`): under load, batches grow instead of waiting on each
 * other.
 */
/**
 * Lanes of the indexer's batched writers (keyed by session): batches of as many different
 * sessions are written at once, each session's one after the other.
 */
export const WRITE_LANES = 4;

/**
 * Writes a lane runs at once: the second goes on while the first is held up (a GIN pending
 * list cleanup in its insert took 0.3-0.8 s under load and stalled a busy session's lane);
 * two batches of one session queue on its row locks only from the later one's
 * application counts to the earlier one's commit.
 */
const WRITES_PER_LANE = 2;

export type BatchWrite<T> = (rows: readonly T[]) => Promise<void>;

interface Pending<T> {
  row: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface BatcherOptions<T> {
  readonly maxRows: number;
  readonly maxDelayMs: number;
  /** Lanes that write in parallel (1 unless given). */
  readonly lanes?: number;
  /** The lane key of a row: rows with one key always share a lane. */
  readonly laneKey?: (row: T) => string;
}

interface Lane<T> {
  pending: Pending<T>[];
  timer: NodeJS.Timeout | undefined;
  writing: Set<Promise<void>>;
}

/** FNV-1a over the key's UTF-16 code units: cheap, and stable across processes. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Batcher<T> {
  private readonly lanes: Lane<T>[];

  constructor(
    private readonly write: BatchWrite<T>,
    private readonly options: BatcherOptions<T>,
  ) {
    if (!Number.isInteger(options.maxRows) || options.maxRows < 1) {
      throw new RangeError('maxRows must be a positive integer');
    }
    const lanes = options.lanes ?? 1;
    if (!Number.isInteger(lanes) || lanes < 1) {
      throw new RangeError('lanes must be a positive integer');
    }
    this.lanes = Array.from({ length: lanes }, () => ({
      pending: [],
      timer: undefined,
      writing: new Set<Promise<void>>(),
    }));
  }

  add(row: T): Promise<void> {
    const key = this.options.laneKey;
    const lane =
      this.lanes[key && this.lanes.length > 1 ? hashKey(key(row)) % this.lanes.length : 0]!;
    return new Promise<void>((resolve, reject) => {
      lane.pending.push({ row, resolve, reject });
      if (lane.writing.size >= WRITES_PER_LANE) return; // written when a running write ends
      if (lane.pending.length >= this.options.maxRows) this.flushLane(lane);
      else lane.timer ??= setTimeout(() => this.flushLane(lane), this.options.maxDelayMs);
    });
  }

  /** Writes what is waiting now in every idle lane (busy lanes follow when they finish). */
  flush(): void {
    for (const lane of this.lanes) this.flushLane(lane);
  }

  /** Flushes and waits until every lane has written everything and is idle. */
  async drain(): Promise<void> {
    for (;;) {
      this.flush();
      const writing = this.lanes.flatMap((lane) => [...lane.writing]);
      if (writing.length === 0) return;
      await Promise.allSettled(writing);
    }
  }

  private flushLane(lane: Lane<T>): void {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = undefined;
    if (lane.writing.size >= WRITES_PER_LANE || lane.pending.length === 0) return;
    const batch = lane.pending.splice(0, this.options.maxRows);
    const done = this.write(batch.map((p) => p.row)).then(
      () => batch.forEach((p) => p.resolve()),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
    lane.writing.add(done);
    void done.finally(() => {
      lane.writing.delete(done);
      // Rows that arrived during the write have waited already: they go next, at once.
      this.flushLane(lane);
    });
  }
}
