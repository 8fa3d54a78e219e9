/**
 * Groups rows arriving one message at a time into one database write, so indexing keeps up
 * with ingest: `add` resolves when the row's batch committed (the message is acked only
 * then) and rejects when it failed (every member is redelivered). A batch is written when
 * it holds `maxRows` or its oldest row has waited `maxDelayMs`.
 */
export type BatchWrite<T> = (rows: readonly T[]) => Promise<void>;

interface Pending<T> {
  row: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface BatcherOptions {
  readonly maxRows: number;
  readonly maxDelayMs: number;
}

export class Batcher<T> {
  private pending: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly write: BatchWrite<T>,
    private readonly options: BatcherOptions,
  ) {
    if (!Number.isInteger(options.maxRows) || options.maxRows < 1) {
      throw new RangeError('maxRows must be a positive integer');
    }
  }

  add(row: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (this.pending.length >= this.options.maxRows) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
    });
  }

  /** Writes what is waiting now (also called on shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const done = this.write(batch.map((p) => p.row)).then(
      () => batch.forEach((p) => p.resolve()),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
    this.writing.add(done);
    void done.finally(() => this.writing.delete(done));
  }

  /** Flushes and waits for every write in progress. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.writing]);
  }
}
