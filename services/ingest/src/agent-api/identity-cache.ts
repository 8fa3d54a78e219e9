/**
 * Who owns a session or recording never changes once the row exists, so ingest keeps
 * those facts in memory: a busy agent then costs no database round trip to authorise an
 * upload or a batch. Bounded: the oldest entry goes first. Only found rows are kept (an
 * unknown id may be created a moment later).
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly maxEntries: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The immutable part of a session row: enough to authorise a batch. */
export interface SessionIdentity {
  readonly id: string;
  readonly agent_id: string;
}

/** The immutable part of a recording row: enough to authorise and place a segment. */
export interface RecordingIdentity {
  readonly id: string;
  readonly session_id: string;
  readonly agent_id: string;
  readonly kind: 'screen' | 'terminal';
  readonly started_at: Date;
}
