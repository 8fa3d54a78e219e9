/**
 * Groups rows arriving a few messages at a time into one database write, so indexing keeps
 * up with ingest: `addAll` resolves when every one of its rows' batches committed (the
 * messages are acked only then) and rejects when one failed (every message of the call is
 * redelivered). A batch is written when it holds `maxRows` or its oldest row has waited
 * `maxDelayMs`; the rows of one call may be split across two batches.
 */
export type BatchWrite<T> = (rows: readonly T[]) => Promise<void>;

/** The rows of one `addAll` call: settled once all its parts are written, or one failed. */
interface Group {
  parts: number;
  done: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface BatcherOptions {
  readonly maxRows: number;
  readonly maxDelayMs: number;
}

export class Batcher<T> {
  private rows: T[] = [];
  /** Groups with rows in `rows`, in order (a group appears once per batch it is in). */
  private groups: Group[] = [];
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
    return this.addAll([row]);
  }

  /** Resolves once every row is durable; rejects if the write of any of them failed. */
  addAll(rows: readonly T[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const group: Group = { parts: 0, done: false, resolve, reject };
      const { maxRows } = this.options;
      let from = 0;
      while (from < rows.length) {
        const take = Math.min(rows.length - from, maxRows - this.rows.length);
        for (let i = from; i < from + take; i++) this.rows.push(rows[i]!);
        from += take;
        if (this.groups.at(-1) !== group) {
          this.groups.push(group);
          group.parts += 1;
        }
        if (this.rows.length >= maxRows) this.flush();
      }
      if (this.rows.length > 0) {
        this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
      }
    });
  }

  /** Writes what is waiting now (also called on shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.rows.length === 0) return;
    const rows = this.rows;
    const groups = this.groups;
    this.rows = [];
    this.groups = [];
    const done = this.write(rows).then(
      () => {
        for (const g of groups) {
          g.parts -= 1;
          if (g.parts === 0 && !g.done) {
            g.done = true;
            g.resolve();
          }
        }
      },
      (err: unknown) => {
        for (const g of groups) {
          g.parts -= 1;
          if (!g.done) {
            g.done = true;
            g.reject(err);
          }
        }
      },
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
