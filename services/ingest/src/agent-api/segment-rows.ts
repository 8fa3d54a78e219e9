/**
 * Segment rows written together: every row asked for while earlier writes are in flight
 * goes into the next multi-row INSERT, so a thousand uploads a second cost a few
 * statements and commits, not a thousand (each commit waits on PostgreSQL's WAL flush,
 * which on a busy disk was the slowest step of an upload). Nothing waits for a batch to
 * fill: an idle writer sends a row at once. Each caller learns whether its row was new,
 * and a failed statement fails every caller in it (they answer 503 and the agent
 * retries; the insert is idempotent).
 */
import type { NewSegment } from './records.repository';

/** Runs one multi-row insert; returns the (recordingId, seq) keys it created. */
export type InsertSegmentRows = (rows: readonly NewSegment[]) => Promise<Set<string>>;

interface Pending {
  readonly row: NewSegment;
  resolve(created: boolean): void;
  reject(error: unknown): void;
}

/** PostgreSQL answers uuids in lower case, whatever case the agent sent. */
export const segmentRowKey = (recordingId: string, seq: number): string =>
  `${recordingId.toLowerCase()}:${seq}`;

export class SegmentRowWriter {
  private queue: Pending[] = [];
  private inFlight = 0;

  /**
   * @param maxRows rows per statement at most (9 parameters each: PostgreSQL takes 65,535)
   * @param maxInFlight statements at once; more rows wait for the next one
   */
  constructor(
    private readonly insertRows: InsertSegmentRows,
    private readonly maxRows = 500,
    private readonly maxInFlight = 4,
  ) {}

  /** true when the row was created, false when (recording, seq) was already there. */
  insert(row: NewSegment): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.maxRows);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.flush();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    // The same (recording, seq) twice in one statement: only the first can be created.
    const first = new Map<string, Pending>();
    for (const pending of batch) {
      const key = segmentRowKey(pending.row.recordingId, pending.row.seq);
      if (!first.has(key)) first.set(key, pending);
    }
    let created: Set<string>;
    try {
      created = await this.insertRows([...first.values()].map((p) => p.row));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of batch) {
      const key = segmentRowKey(pending.row.recordingId, pending.row.seq);
      pending.resolve(first.get(key) === pending && created.has(key));
    }
  }
}
