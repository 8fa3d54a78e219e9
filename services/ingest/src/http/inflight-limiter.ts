/**
 * The process-wide bound on agent uploads and batches in progress. Requests beyond it
 * are refused with 503 before their bodies are read, so memory stays bounded by
 * INGEST_MAX_INFLIGHT times the largest body, however many agents push at once.
 */
export class InflightLimiter {
  private active = 0;

  constructor(readonly limit: number) {}

  /** A release function, or undefined when the limit is reached. */
  tryAcquire(): (() => void) | undefined {
    if (this.active >= this.limit) return undefined;
    this.active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
    };
  }

  get inflight(): number {
    return this.active;
  }
}
