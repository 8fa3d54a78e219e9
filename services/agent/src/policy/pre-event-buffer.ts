/**
 * The rolling pre-event buffer of a session whose policy says record-on-event: what was
 * captured in the last N minutes, kept on the host and never uploaded unless a trigger
 * fires. Bounded by time and by bytes; the oldest entries go first.
 */
export interface BufferedEntry<T> {
  /** Session time the entry covers, [startMs, endMs). */
  readonly startMs: number;
  readonly endMs: number;
  readonly bytes: number;
  readonly item: T;
}

export class PreEventBuffer<T> {
  private entries: BufferedEntry<T>[] = [];
  private totalBytes = 0;

  constructor(
    private readonly maxMs: number,
    private readonly maxBytes: number,
  ) {}

  /** Adds an entry, then drops what is older than `maxMs` before its end or over the byte limit. */
  push(entry: BufferedEntry<T>): void {
    this.entries.push(entry);
    this.totalBytes += entry.bytes;
    const horizon = entry.endMs - this.maxMs;
    while (this.entries.length > 0) {
      const oldest = this.entries[0]!;
      if (oldest.startMs >= horizon && this.totalBytes <= this.maxBytes) break;
      this.entries.shift();
      this.totalBytes -= oldest.bytes;
    }
  }

  /** Everything held, oldest first, and empties the buffer (the trigger fired). */
  drain(): BufferedEntry<T>[] {
    const out = this.entries;
    this.entries = [];
    this.totalBytes = 0;
    return out;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get length(): number {
    return this.entries.length;
  }

  /** Session time of the oldest entry still held. */
  get oldestMs(): number | undefined {
    return this.entries[0]?.startMs;
  }
}
