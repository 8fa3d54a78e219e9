/**
 * Slows password guessing: after `maxFailures` failed sign-ins for one user name from one
 * client address within a window, further attempts are refused until the window ends.
 * In memory and per process (a fixed window, bounded in size): enough against a single
 * guesser; a shared limiter can replace it behind the same interface.
 */
export interface LoginLimiterOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Tracked keys at most; the oldest are forgotten first. */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

interface Bucket {
  failures: number;
  windowStart: number;
}

export class LoginLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: LoginLimiterOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until another attempt is allowed; 0 when it is allowed now. */
  retryAfterMs(username: string, address: string): number {
    const bucket = this.current(keyOf(username, address));
    if (!bucket || bucket.failures < this.options.maxFailures) return 0;
    return bucket.windowStart + this.options.windowMs - this.now();
  }

  recordFailure(username: string, address: string): void {
    const key = keyOf(username, address);
    const bucket = this.current(key);
    if (bucket) {
      bucket.failures += 1;
      return;
    }
    if (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    this.buckets.set(key, { failures: 1, windowStart: this.now() });
  }

  recordSuccess(username: string, address: string): void {
    this.buckets.delete(keyOf(username, address));
  }

  private current(key: string): Bucket | undefined {
    const bucket = this.buckets.get(key);
    if (bucket && this.now() - bucket.windowStart >= this.options.windowMs) {
      this.buckets.delete(key);
      return undefined;
    }
    return bucket;
  }
}

function keyOf(username: string, address: string): string {
  return `${username.toLowerCase()}\u0000${address}`;
}
