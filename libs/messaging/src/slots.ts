/**
 * A counting limiter for handler concurrency: the consumer pulls only as many messages
 * as there are free slots, so a slow handler slows the pulling (backpressure) instead
 * of piling up messages whose ack timers run out.
 */
export class Slots {
  private used = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly size: number) {}

  get inUse(): number {
    return this.used;
  }

  get free(): number {
    return this.size - this.used;
  }

  acquire(): void {
    if (this.used >= this.size) throw new Error('no free slot');
    this.used++;
  }

  release(): void {
    this.used = Math.max(0, this.used - 1);
    this.wake();
  }

  /** Resolves when a slot is free or `wake()` is called (shutdown). */
  async whenFree(): Promise<void> {
    if (this.used < this.size) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when nothing is in use, or after `timeoutMs`; true if idle. */
  async whenIdle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.used > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
        this.waiters.push(resolve);
      });
      clearTimeout(timer);
    }
    return true;
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
