/**
 * Concurrent requests for one kind of statement, answered by one statement: every request
 * made while `maxInFlight` statements run waits for the next one, which takes up to
 * `maxBatch` of them. Nothing waits for a batch to fill: an idle coalescer runs at the end
 * of the event loop's current turn, with every request made during that turn (each HTTP
 * request ingest reads is a turn's work of its own), so a quiet ingest answers as fast as
 * with a statement per request.
 *
 * Why: on a busy host each round trip wakes a PostgreSQL backend, which takes the core
 * from ingest's event loop. When a thousand sessions start within seconds, their lookups,
 * inserts and segment rows go in tens of statements a second instead of thousands.
 *
 * A failed statement of several requests is run again one request at a time, so a request
 * the database refuses (a constraint, a value it cannot take) fails alone instead of
 * failing its neighbours at every retry.
 */

/** Runs one statement for these inputs; answers one output per input, in order. */
export type RunBatch<I, O> = (inputs: readonly I[]) => Promise<readonly O[]>;

interface Pending<I, O> {
  readonly input: I;
  resolve(output: O): void;
  reject(error: unknown): void;
}

export class Coalescer<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private flushScheduled = false;

  /**
   * @param maxBatch inputs per statement at most (mind PostgreSQL's 65,535 parameters)
   * @param maxInFlight statements at once; more requests wait for the next one
   */
  constructor(
    private readonly runBatch: RunBatch<I, O>,
    private readonly maxBatch = 500,
    private readonly maxInFlight = 2,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be ≥ 1');
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError('maxInFlight must be ≥ 1');
    }
  }

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.flushScheduled && this.inFlight < this.maxInFlight) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.execute(batch).finally(() => {
        this.inFlight -= 1;
        this.flush();
      });
    }
  }

  private async execute(batch: Pending<I, O>[]): Promise<void> {
    try {
      this.settle(batch, await this.runBatch(batch.map((p) => p.input)));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
    }
    for (const pending of batch) {
      try {
        this.settle([pending], await this.runBatch([pending.input]));
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  private settle(batch: Pending<I, O>[], outputs: readonly O[]): void {
    if (outputs.length !== batch.length) {
      const error = new Error(
        `a batch of ${batch.length} answered ${outputs.length} outputs (a bug in its statement)`,
      );
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => pending.resolve(outputs[i] as O));
  }
}

/**
 * For statements that create rows by key (INSERT … ON CONFLICT DO NOTHING RETURNING the
 * key): which inputs created a row. When one key is asked for twice in a statement, only
 * its first asker created it; the statement itself carries each key once.
 */
export async function createdByFirstAsker<I>(
  inputs: readonly I[],
  keyOf: (input: I) => string,
  insert: (unique: readonly I[]) => Promise<ReadonlySet<string>>,
): Promise<boolean[]> {
  const first = new Map<string, number>();
  inputs.forEach((input, i) => {
    const key = keyOf(input);
    if (!first.has(key)) first.set(key, i);
  });
  const created = await insert([...first.values()].map((i) => inputs[i] as I));
  return inputs.map((input, i) => {
    const key = keyOf(input);
    return first.get(key) === i && created.has(key);
  });
}
